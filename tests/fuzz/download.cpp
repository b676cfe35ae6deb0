// files().download and backups().download through a transport with the download
// capability, answered by a fuzzed server: any status and headers (Content-Length right,
// wrong, absent, garbage), the body in fuzz-chosen pieces, a failure mid-body; and fuzzed
// caps, progress callbacks that stop the call, cancels from inside progress.
//
// Input: [flags][flags2][status u16][header count % 8]([name s8][value s8])*
//        [length mode][length u16][length text s8][body s16][piece count % 16][piece sizes]*
//        [fail at][fail mode][fail message s8][cap u16][stop at][cancel at]
//   flags bit 0: into a path (a private temp folder) instead of a std::ostringstream
//         bit 1: backups().download instead of files().download
//         bit 2: download_options::token set (else files() send none and backups() fetch
//                one with POST /api/files/token first, answered with a fixed token)
//         bit 3: download_options::max_bytes = cap     bit 4: a progress callback
//         bit 5: request_options::cancel, cancelled from progress on its call number `cancel at`
//         bit 6: the auth store holds a token (sent as Authorization)
//         bit 7: the transport stops at req.max_response_bytes itself, as cpp-httplib does
//   flags2 bit 0: the target file exists before the call (with other bytes)
//   length mode % 5: 0 no Content-Length, 1 the body's length, 2 `length`, 3 `length text`,
//     4 `length` plus a Content-Encoding header (the announced length is then not the body's,
//     so it is not checked); the fuzzed headers may add more Content-Lengths
//   piece sizes are 1 + byte, used in turn; `fail at` 0: no failure, 1: the transport fails
//   before the head, n: before piece n - 1; fail mode & 0x0F < 12 a transport_error of that
//   error_kind, otherwise a std::runtime_error; the failure's message may echo the secrets.
//   `stop at` n > 0: progress returns false on its nth call.
//
// Contract: only ClientResponseError escapes. The call succeeds only on a 2xx whose body came
// whole (no failure, no stop, no cancel), within max_bytes, and as long as every Content-Length
// of plain digits says (when no Content-Encoding or Transfer-Encoding makes it another length);
// then it returns the body's size and the stream or file holds exactly the body. A failure into
// a path leaves the target as it was (absent, or its old bytes) and no other file in the
// folder; into a stream, it leaves a prefix of a 2xx body and nothing of an error answer.
// Progress never reports bytes the transport has not handed over. A call stopped by progress or a cancel reports is_abort(), and only those (or a
// transport that reports a cancel) do. The stored token and the file token (when the call
// sends them) never appear in what(), url(), original_error() or response().dump(); the
// stored token never in a request target.
#include "fuzz_support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <system_error>

namespace {

namespace fs = std::filesystem;
using bosbase::json;
using bosbase_fuzz::fail;

constexpr const char* origin = "http://127.0.0.1:8090";
constexpr const char* file_token = "Ft-6fIle~tOk";
// {"type":"auth","id":"r1","collectionId":"_pb_users_auth_","refreshable":false,"exp":4102444800}
constexpr const char* stored_token =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJ0eXBlIjoiYXV0aCIsImlkIjoicjEiLCJjb2xsZWN0aW9uSWQiOiJfcGJfdXNlcnNfYXV0aF8iLCJyZWZyZXNoYWJsZSI6ZmFsc2UsImV4"
    "cCI6NDEwMjQ0NDgwMH0.c2lnbmF0dXJl";
constexpr std::size_t error_cap = 4096;  // client_options::max_response_bytes

// One folder per process, removed at exit, emptied before each input.
const fs::path& folder() {
    static const bosbase_fuzz::scratch_folder scratch("download");
    return scratch.path();
}

void empty_folder() {
    std::error_code ec;
    std::vector<fs::path> entries;
    for (const auto& entry : fs::directory_iterator(folder(), ec)) entries.push_back(entry.path());
    for (const auto& p : entries) fs::remove_all(p, ec);
    if (ec) fail("the fuzz scratch folder could not be emptied", ec.message());
}

std::vector<std::string> folder_names() {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(folder())) out.push_back(entry.path().filename().string());
    return out;
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// How the transport hands the scripted body over.
struct delivery {
    std::vector<std::size_t> pieces;
    std::size_t fail_at = 0;
    bool fail_with_transport_error = false;
    bosbase::error_kind fail_kind = bosbase::error_kind::other;
    std::string fail_message;
    bool own_cap = false;
    // What happened, for the checks.
    bool failed = false;       // the scripted failure was thrown
    bool whole = false;        // every body byte went to the sink
    std::string handed;        // the bytes handed to the sink
    std::size_t downloads = 0;
};

// scripted_transport's checks and answers, plus download(): the answer's body goes to the
// sink in the scripted pieces.
struct download_transport : bosbase_fuzz::scripted_transport {
    std::shared_ptr<delivery> d = std::make_shared<delivery>();

    bosbase::http_response download(const bosbase::http_request& req, bosbase::response_sink& sink) {
        ++d->downloads;
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(req.target, stored_token), "the auth token is in the URL");
        const bosbase::http_response res = send(req);
        std::size_t piece_no = 0;
        auto maybe_fail = [&] {
            if (d->fail_at == 0 || d->fail_at != piece_no + 1) return;
            d->failed = true;
            if (d->fail_with_transport_error) throw bosbase::transport_error(d->fail_kind, d->fail_message);
            throw std::runtime_error(d->fail_message);
        };
        maybe_fail();
        ++piece_no;
        if (!sink.on_head(res.status, res.headers)) return {res.status, res.headers, {}};
        std::size_t at = 0;
        while (at < res.body.size()) {
            maybe_fail();
            // A real transport stops a cancelled call between reads.
            if (req.cancel && req.cancel->is_canceled()) {
                throw bosbase::transport_error(bosbase::error_kind::canceled, "cancelled (fuzz transport)");
            }
            const std::size_t n = std::min(d->pieces[(piece_no - 1) % d->pieces.size()], res.body.size() - at);
            if (d->own_cap && at + n > req.max_response_bytes) {
                throw bosbase::transport_error(bosbase::error_kind::too_large, "over the cap (fuzz transport)");
            }
            ++piece_no;
            const std::string_view piece = std::string_view(res.body).substr(at, n);
            d->handed.append(piece.data(), piece.size());
            if (!sink.on_body(piece)) return {res.status, res.headers, {}};
            at += n;
        }
        d->whole = true;
        return {res.status, res.headers, {}};
    }
};
static_assert(bosbase::is_download_transport_v<download_transport>, "the harness must take the streaming path");

using client = bosbase::basic_bosbase<download_transport>;

bool digits_only(const std::string& s) {
    return !s.empty() && s.size() <= 19 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Whether the body's length contradicts a Content-Length of plain digits (unless an encoding
// makes the announced length another one's).
bool length_contradicted(const bosbase::header_list& headers, std::size_t size) {
    bool contradicted = false;
    for (const auto& h : headers) {
        if (bosbase::detail::ascii_iequal(h.first, "Content-Encoding") ||
            bosbase::detail::ascii_iequal(h.first, "Transfer-Encoding")) {
            return false;
        }
        if (bosbase::detail::ascii_iequal(h.first, "Content-Length") && digits_only(h.second) &&
            std::stoull(h.second) != size) {
            contradicted = true;
        }
    }
    return contradicted;
}

void check_secrets(const bosbase::ClientResponseError& e, const std::vector<std::string>& secrets) {
    std::string dumped;
    try {
        dumped = e.response().dump();
    } catch (const std::exception& x) {
        fail("response().dump() threw", std::string(typeid(x).name()) + ": " + x.what());
    }
    for (const auto& secret : secrets) {
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.what(), secret), std::string("secret in what(): ") + e.what());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.url(), secret), "secret in url(): " + e.url());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(e.original_error(), secret),
                               "secret in original_error(): " + e.original_error());
        BOSBASE_FUZZ_CHECK_MSG(!bosbase_fuzz::contains(dumped, secret), "secret in response(): " + dumped);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return bosbase_fuzz::guarded([&] {
        bosbase_fuzz::byte_reader in(data, size);
        const std::uint8_t flags = in.byte();
        const std::uint8_t flags2 = in.byte();
        const bool to_path = flags & 0x01, backup = flags & 0x02, with_token = flags & 0x04, capped = flags & 0x08;
        const bool with_progress = flags & 0x10, with_cancel = flags & 0x20, signed_in = flags & 0x40;

        bosbase::http_response answer;
        answer.status = in.u16() % 1000;
        for (int n = in.byte() % 8; n > 0; --n) {
            std::string name = in.str();
            answer.headers.emplace_back(std::move(name), in.str());
        }
        const int length_mode = in.byte() % 5;
        const std::uint16_t length_number = in.u16();
        const std::string length_text = in.str();
        answer.body = in.str16();
        switch (length_mode) {
        case 1: answer.headers.emplace_back("Content-Length", std::to_string(answer.body.size())); break;
        case 2: answer.headers.emplace_back("Content-Length", std::to_string(length_number)); break;
        case 3: answer.headers.emplace_back("Content-Length", length_text); break;
        case 4:
            answer.headers.emplace_back("Content-Length", std::to_string(length_number));
            answer.headers.emplace_back("Content-Encoding", "gzip");
            break;
        default: break;
        }

        download_transport transport;
        transport.s->expected_origin = origin;
        delivery& d = *transport.d;
        for (int n = in.byte() % 16; n > 0; --n) d.pieces.push_back(std::size_t(1) + in.byte());
        if (d.pieces.empty()) d.pieces.push_back(4096);
        d.fail_at = in.byte();
        const std::uint8_t fail_mode = in.byte();
        d.fail_with_transport_error = (fail_mode & 0x0F) < 12;
        d.fail_kind = static_cast<bosbase::error_kind>(fail_mode & 0x0F);
        d.fail_message = in.str();
        d.own_cap = flags & 0x80;
        const std::uint64_t cap = in.u16();
        const unsigned stop_at = in.byte();
        const unsigned cancel_at = in.byte();

        if (backup && !with_token) {
            transport.s->script.push_back({{}, {}, {}, {200, {}, json{{"token", file_token}}.dump()}});
        }
        transport.s->script.push_back({{}, {}, {}, answer});

        bosbase::client_options options;
        options.max_response_bytes = error_cap;
        client pb(origin, transport, options);
        if (signed_in) pb.auth_store().save(stored_token, {{"id", "r1"}, {"collectionName", "users"}});
        const std::string token_before = pb.auth_store().token();

        bosbase::download_options download;
        if (with_token) download.token = file_token;
        if (capped) download.max_bytes = cap;
        bosbase::request_options call;
        unsigned progress_calls = 0;
        bool stopped = false, cancelled = false;
        bosbase::cancel_token token;
        if (with_cancel) call.cancel = token;
        if (with_progress || with_cancel) {
            call.progress = [&](std::uint64_t done, std::optional<std::uint64_t>) {
                ++progress_calls;
                BOSBASE_FUZZ_CHECK_MSG(done <= d.handed.size(), "progress reports bytes that did not arrive");
                if (with_cancel && progress_calls == cancel_at) {
                    token.cancel();
                    cancelled = true;
                }
                if (with_progress && progress_calls == stop_at) {
                    stopped = true;
                    return false;
                }
                return true;
            };
        }

        const json record = {{"collectionId", "pbc_1"}, {"collectionName", "docs"}, {"id", "rec1"}};
        const fs::path target = folder() / "out.bin";
        const std::string old_bytes = "the file as it was";
        if (to_path) {
            empty_folder();
            if (flags2 & 0x01) {
                std::ofstream(target, std::ios::binary) << old_bytes;
            }
        }
        std::ostringstream out;

        // The file token is the call's only when it sends one (a server may send its text anyway).
        std::vector<std::string> secrets;
        if (with_token || backup) secrets.emplace_back(file_token);
        if (signed_in) secrets.emplace_back(stored_token);

        try {
            std::uint64_t got = 0;
            if (backup) {
                got = to_path ? pb.backups().download("b1.zip", target, download, call)
                              : pb.backups().download("b1.zip", out, download, call);
            } else {
                got = to_path ? pb.files().download(record, "a.bin", target, download, call)
                              : pb.files().download(record, "a.bin", out, download, call);
            }
            BOSBASE_FUZZ_CHECK_MSG(d.downloads == 1, "no download reached the transport");
            BOSBASE_FUZZ_CHECK_MSG(answer.status >= 200 && answer.status <= 299,
                                   "a download succeeded on HTTP " + std::to_string(answer.status));
            BOSBASE_FUZZ_CHECK_MSG(!d.failed, "a download succeeded although the transport failed");
            BOSBASE_FUZZ_CHECK_MSG(d.whole, "a download succeeded with part of the body");
            BOSBASE_FUZZ_CHECK_MSG(!stopped, "a download succeeded although progress stopped it");
            BOSBASE_FUZZ_CHECK_MSG(!cancelled, "a download succeeded although it was cancelled");
            BOSBASE_FUZZ_CHECK_MSG(!capped || answer.body.size() <= cap, "a download succeeded over max_bytes");
            BOSBASE_FUZZ_CHECK_MSG(!length_contradicted(answer.headers, answer.body.size()),
                                   "a download succeeded with a body its Content-Length contradicts (" +
                                       std::to_string(answer.body.size()) + " bytes)");
            BOSBASE_FUZZ_CHECK_MSG(got == answer.body.size(), "the returned size is not the body's");
            const std::string written = to_path ? read_all(target) : out.str();
            BOSBASE_FUZZ_CHECK_MSG(written == answer.body, "the target does not hold exactly the body");
            if (to_path) {
                BOSBASE_FUZZ_CHECK_MSG(folder_names() == std::vector<std::string>{"out.bin"},
                                       "a file besides the target is left in the folder");
            }
        } catch (const bosbase::ClientResponseError& e) {
            check_secrets(e, secrets);
            const bool transport_cancel =
                d.failed && d.fail_with_transport_error && d.fail_kind == bosbase::error_kind::canceled;
            if (stopped || cancelled) {
                BOSBASE_FUZZ_CHECK_MSG(e.is_abort(), std::string("a stopped download is not is_abort(): ") + e.what());
            } else if (!transport_cancel) {
                BOSBASE_FUZZ_CHECK_MSG(!e.is_abort(), std::string("is_abort() without a cancel: ") + e.what());
            }
            const bool ok_status = answer.status >= 200 && answer.status <= 299;
            if (!to_path) {
                // The stream keeps what arrived before the failure, and nothing of an error answer.
                const std::string kept = out.str();
                BOSBASE_FUZZ_CHECK_MSG(ok_status ? answer.body.compare(0, kept.size(), kept) == 0 : kept.empty(),
                                       "the stream holds bytes the server did not send as the file");
            } else {
                const std::vector<std::string> names = folder_names();
                if (flags2 & 0x01) {
                    BOSBASE_FUZZ_CHECK_MSG(names == std::vector<std::string>{"out.bin"},
                                           "a failed download left a file besides the target");
                    BOSBASE_FUZZ_CHECK_MSG(read_all(target) == old_bytes, "a failed download changed the target");
                } else {
                    BOSBASE_FUZZ_CHECK_MSG(names.empty(), "a failed download left a file: " + names.front());
                }
            }
        }
        BOSBASE_FUZZ_CHECK_MSG(pb.auth_store().token() == token_before, "a download changed the auth store");
    });
}
