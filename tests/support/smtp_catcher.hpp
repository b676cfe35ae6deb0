// A minimal SMTP server on 127.0.0.1 that keeps every message it is given: how the tests
// read an emailed one-time password from a server that really sends mail (BosBase).
// It speaks just enough SMTP for a client without TLS or auth (Go's net/smtp, which
// PocketBase and BosBase use): greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bosbase_test {

struct caught_mail {
    std::vector<std::string> recipients;
    std::string data;  // headers and body as sent, dot-stuffing removed
};

class smtp_catcher {
public:
    smtp_catcher() {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            ::listen(listen_fd_, 8) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
            ::pipe2(wake_, O_CLOEXEC) != 0) {
            throw std::runtime_error("smtp_catcher: cannot listen on 127.0.0.1");
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }

    smtp_catcher(const smtp_catcher&) = delete;
    smtp_catcher& operator=(const smtp_catcher&) = delete;

    ~smtp_catcher() {
        (void)!::write(wake_[1], "x", 1);
        thread_.join();
        ::close(listen_fd_);
        ::close(wake_[0]);
        ::close(wake_[1]);
    }

    int port() const { return port_; }

    // The first message to `recipient` (as in RCPT TO), waiting at most `limit` for it.
    // Throws when none came: the server sends mail after it answered, so the test waits
    // for the event, bounded.
    caught_mail wait_for_mail_to(const std::string& recipient, std::chrono::milliseconds limit) {
        std::unique_lock<std::mutex> lock(m_);
        caught_mail found;
        const bool got = cv_.wait_for(lock, limit, [&] {
            for (const auto& mail : mails_) {
                for (const auto& r : mail.recipients) {
                    if (r == recipient) {
                        found = mail;
                        return true;
                    }
                }
            }
            return false;
        });
        if (!got) {
            throw std::runtime_error("smtp_catcher: no mail to " + recipient + " within " +
                                     std::to_string(limit.count()) + " ms (" + std::to_string(mails_.size()) +
                                     " other mails)");
        }
        return found;
    }

private:
    void serve() {
        for (;;) {
            pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) continue;
            if (fds[1].revents != 0) return;
            const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            session(fd);
            ::close(fd);
        }
    }

    // Reads one CRLF-terminated line; false when the peer went away, was silent for 10 s,
    // or the catcher is being destroyed.
    bool read_line(int fd, std::string& buffer, std::string& line) {
        for (;;) {
            const auto eol = buffer.find("\r\n");
            if (eol != std::string::npos) {
                line = buffer.substr(0, eol);
                buffer.erase(0, eol + 2);
                return true;
            }
            pollfd fds[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
            if (::poll(fds, 2, 10000) <= 0 || fds[1].revents != 0) return false;
            char chunk[4096];
            const auto n = ::read(fd, chunk, sizeof chunk);
            if (n <= 0) return false;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
    }

    static void reply(int fd, const std::string& text) { (void)!::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

    static std::string upper_verb(const std::string& line) {
        std::string verb = line.substr(0, line.find(' '));
        for (auto& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return verb;
    }

    void session(int fd) {
        reply(fd, "220 smtp-catcher ready\r\n");
        std::string buffer, line;
        caught_mail mail;
        while (read_line(fd, buffer, line)) {
            const std::string verb = upper_verb(line);
            if (verb == "EHLO" || verb == "HELO") {
                reply(fd, "250 smtp-catcher\r\n");
            } else if (verb == "MAIL") {
                mail = caught_mail{};
                reply(fd, "250 ok\r\n");
            } else if (verb == "RCPT") {
                const auto open = line.find('<');
                const auto close = line.find('>', open);
                if (open == std::string::npos || close == std::string::npos) {
                    reply(fd, "501 expected RCPT TO:<address>\r\n");
                    continue;
                }
                mail.recipients.push_back(line.substr(open + 1, close - open - 1));
                reply(fd, "250 ok\r\n");
            } else if (verb == "DATA") {
                reply(fd, "354 end with <CRLF>.<CRLF>\r\n");
                while (read_line(fd, buffer, line) && line != ".") {
                    mail.data += (line.rfind("..", 0) == 0 ? line.substr(1) : line) + "\n";
                }
                {
                    std::lock_guard<std::mutex> lock(m_);
                    mails_.push_back(mail);
                    cv_.notify_all();
                }
                reply(fd, "250 queued\r\n");
            } else if (verb == "RSET" || verb == "NOOP") {
                reply(fd, "250 ok\r\n");
            } else if (verb == "QUIT") {
                reply(fd, "221 bye\r\n");
                return;
            } else {
                reply(fd, "502 not implemented\r\n");
            }
        }
    }

    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    int port_ = 0;
    std::thread thread_;
    std::mutex m_;
    std::condition_variable cv_;
    std::vector<caught_mail> mails_;
};

}  // namespace bosbase_test
