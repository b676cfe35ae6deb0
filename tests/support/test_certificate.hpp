// A certificate made for a test: self-signed, also usable as its own CA, in a PEM file of its own.
#pragma once

#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace bosbase_test {

// A self-signed certificate, also usable as its own CA: by default for IP 127.0.0.1 and valid
// for an hour; `san` and `valid_for` make one for another name or one that has expired.
class test_certificate {
public:
    explicit test_certificate(const char* san = "IP:127.0.0.1", long valid_for = 3600) {
        key_ = EVP_EC_gen("P-256");
        REQUIRE(key_ != nullptr);
        cert_ = X509_new();
        X509_set_version(cert_, 2);
        ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
        X509_gmtime_adj(X509_getm_notBefore(cert_), valid_for > 0 ? -60 : 2 * valid_for);
        X509_gmtime_adj(X509_getm_notAfter(cert_), valid_for);
        X509_set_pubkey(cert_, key_);
        X509_NAME* name = X509_get_subject_name(cert_);
        // The common name repeats the one subject alternative name: a client that falls back to
        // the common name must not find another match there.
        const std::string common_name = std::string(san).substr(std::string(san).find(':') + 1);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                                   -1, -1, 0);
        X509_set_issuer_name(cert_, name);
        add_extension(NID_subject_alt_name, san);
        add_extension(NID_basic_constraints, "critical,CA:TRUE");
        REQUIRE(X509_sign(cert_, key_, EVP_sha256()) > 0);

        char dir[] = "/tmp/bosbase-tls-XXXXXX";
        REQUIRE(::mkdtemp(dir) != nullptr);
        dir_ = dir;
        pem_path_ = dir_ + "/ca.pem";
        FILE* f = std::fopen(pem_path_.c_str(), "w");
        REQUIRE(f != nullptr);
        PEM_write_X509(f, cert_);
        std::fclose(f);
    }
    ~test_certificate() {
        X509_free(cert_);
        EVP_PKEY_free(key_);
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    test_certificate(const test_certificate&) = delete;
    test_certificate& operator=(const test_certificate&) = delete;

    X509* cert() const { return cert_; }
    EVP_PKEY* key() const { return key_; }
    const std::string& pem_path() const { return pem_path_; }

private:
    void add_extension(int nid, const char* value) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, cert_, cert_, nullptr, nullptr, 0);
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
        REQUIRE(ext != nullptr);
        X509_add_ext(cert_, ext, -1);
        X509_EXTENSION_free(ext);
    }

    EVP_PKEY* key_ = nullptr;
    X509* cert_ = nullptr;
    std::string dir_;
    std::string pem_path_;
};

}  // namespace bosbase_test
