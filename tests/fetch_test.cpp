// recur data fetch: FRED downloads against a tiny HTTP/1.0 server on 127.0.0.1 (no other traffic).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "recur/data/fetch.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Serves files of `root` by request path (GET /NAME), 404 otherwise; one request per connection.
class TinyHttpServer {
  public:
    explicit TinyHttpServer(fs::path root) : root_(std::move(root)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        socklen_t len = sizeof(addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
            ::listen(fd_, 8) != 0 ||
            ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            ::close(fd_);
            throw std::runtime_error("bind/listen failed");
        }
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { loop(); });
    }
    ~TinyHttpServer() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    std::string base_url() const {
        return "http://127.0.0.1:" + std::to_string(port_) + "/{series}.csv";
    }

  private:
    void loop() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
        for (int served = 0;
             !stop_ && served < 200 && std::chrono::steady_clock::now() < deadline;) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) continue;
            ++served;
            serve(c);
            ::close(c);
        }
    }
    void serve(int c) {
        timeval tv{5, 0};
        ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        std::string req;
        char buf[1024];
        while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16384) {
            ssize_t n = ::recv(c, buf, sizeof(buf), 0);
            if (n <= 0) break;
            req.append(buf, static_cast<std::size_t>(n));
        }
        std::string path;
        if (req.rfind("GET ", 0) == 0) {
            auto end = req.find(' ', 4);
            if (end != std::string::npos) path = req.substr(4, end - 4);
        }
        std::string status = "404 Not Found", body = "not found\n";
        std::string name = path.size() > 1 ? path.substr(1) : "";
        if (!name.empty() && name.find('/') == std::string::npos &&
            name.find("..") == std::string::npos && fs::is_regular_file(root_ / name)) {
            status = "200 OK";
            body = slurp(root_ / name);
        }
        std::string resp =
            "HTTP/1.0 " + status +
            "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
            "\r\nConnection: close\r\n\r\n" + body;
        for (std::size_t off = 0; off < resp.size();) {
            ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
    }
    fs::path root_;
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

const fs::path kFredDir = fs::path(RECUR_FIXTURE_DIR "/../../../shared/data/fred");

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() /
               ("recur_fetch_" + std::to_string(::getpid()) + "_" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST(Fetch, FredSeriesAreByteIdentical) {
    if (!fs::is_regular_file(kFredDir / "SP500.csv") ||
        !fs::is_regular_file(kFredDir / "UMCSENT.csv"))
        GTEST_SKIP() << "no " << kFredDir;
    TinyHttpServer server(kFredDir);
    TempDir tmp;
    for (const std::string s : {"SP500", "UMCSENT"}) {
        recur::FetchStats st;
        std::string path = recur::fetch_fred(s, tmp.path.string(), server.base_url(), &st);
        EXPECT_EQ(fs::path(path), tmp.path / "fred" / (s + ".csv"));
        EXPECT_EQ(slurp(path), slurp(kFredDir / (s + ".csv"))) << s;
        EXPECT_EQ(st.bytes, fs::file_size(kFredDir / (s + ".csv")));
        EXPECT_GT(st.rows, 100u);
    }
}

TEST(Fetch, MissingSeriesNamesItAndWritesNothing) {
    TempDir served, tmp;
    TinyHttpServer server(served.path);
    try {
        recur::fetch_fred("NOSUCH", tmp.path.string(), server.base_url());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("NOSUCH"), std::string::npos) << msg;
        EXPECT_NE(msg.find("404"), std::string::npos) << msg;
        EXPECT_NE(msg.find("http://127.0.0.1:"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(tmp.path / "fred" / "NOSUCH.csv"));
}

TEST(Fetch, HtmlBodyIsRefused) {
    TempDir served, tmp;
    {
        std::ofstream(served.path / "HTML.csv")
            << "<!DOCTYPE html>\n<html><body>Error</body></html>\n";
    }
    TinyHttpServer server(served.path);
    try {
        recur::fetch_fred("HTML", tmp.path.string(), server.base_url());
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("HTML"), std::string::npos) << msg;
        EXPECT_NE(msg.find("not a FRED CSV"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(tmp.path / "fred" / "HTML.csv"));
    if (fs::exists(tmp.path / "fred")) {
        EXPECT_TRUE(fs::is_empty(tmp.path / "fred"));
    }
}

TEST(Fetch, ConnectionErrorNamesSeriesAndUrl) {
    TempDir tmp;
    int port = 0;
    {
        TinyHttpServer server(tmp.path);  // take a free port, then close it
        port = server.port();
    }
    std::string url = "http://127.0.0.1:" + std::to_string(port) + "/{series}.csv";
    try {
        recur::fetch_fred("SP500", tmp.path.string(), url);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        std::string msg = e.what();
        EXPECT_NE(msg.find("SP500"), std::string::npos) << msg;
        EXPECT_NE(msg.find("127.0.0.1"), std::string::npos) << msg;
    }
    EXPECT_FALSE(fs::exists(tmp.path / "fred" / "SP500.csv"));
}

TEST(Fetch, BadSeriesIdIsRejected) {
    TempDir tmp;
    EXPECT_THROW(recur::fetch_fred("../x", tmp.path.string(), "http://127.0.0.1:9/{series}"),
                 std::runtime_error);
    EXPECT_THROW(recur::fetch_fred("", tmp.path.string(), "http://127.0.0.1:9/{series}"),
                 std::runtime_error);
}

TEST(Fetch, CliDataFetchFred) {
    if (!fs::is_regular_file(kFredDir / "SP500.csv")) GTEST_SKIP() << "no " << kFredDir;
    TinyHttpServer server(kFredDir);
    TempDir tmp;
    std::string cmd = std::string(RECUR_CLI_PATH) + " data fetch fred SP500 --data-dir '" +
                      tmp.path.string() + "' --base-url '" + server.base_url() + "' 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buf[512];
    while (std::fgets(buf, sizeof(buf), pipe)) out += buf;
    int rc = pclose(pipe);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("SP500"), std::string::npos) << out;
    EXPECT_NE(out.find("bytes"), std::string::npos) << out;
    EXPECT_NE(out.find("rows"), std::string::npos) << out;
    EXPECT_EQ(slurp(tmp.path / "fred" / "SP500.csv"), slurp(kFredDir / "SP500.csv"));
}
