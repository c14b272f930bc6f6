// FRED downloads: libcurl into memory, validated with read_fred_csv, then write_file_atomic.
#include "recur/data/fetch.hpp"

#include <curl/curl.h>

#include <unistd.h>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>

#include "recur/data/series.hpp"
#include "recur/io/model_io.hpp"

namespace recur {
namespace {

namespace fs = std::filesystem;

// FRED ids are letters, digits and underscores; '-' and '.' are tolerated but not a leading '.'
// (the id becomes a file name, so no separators or "..").
bool valid_series_id(const std::string& s) {
    if (s.empty() || s.size() > 64 || s[0] == '.' || s[0] == '-') return false;
    for (unsigned char c : s)
        if (!std::isalnum(c) && c != '_' && c != '-' && c != '.') return false;
    return true;
}

std::string expand_url(const std::string& base_url, const std::string& series) {
    static const std::string key = "{series}";
    std::string url;
    std::size_t pos = 0;
    for (std::size_t hit; (hit = base_url.find(key, pos)) != std::string::npos;) {
        url.append(base_url, pos, hit - pos).append(series);
        pos = hit + key.size();
    }
    return url.append(base_url, pos, std::string::npos);
}

std::size_t append_body(char* data, std::size_t size, std::size_t n, void* user) {
    static_cast<std::string*>(user)->append(data, size * n);
    return size * n;
}

struct CurlHandle {
    CURL* h = curl_easy_init();
    ~CurlHandle() {
        if (h) curl_easy_cleanup(h);
    }
};

std::string download(const std::string& series, const std::string& url) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    CurlHandle curl;
    if (!curl.h) throw std::runtime_error("fetch " + series + ": cannot initialise libcurl");
    std::string body;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl.h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.h, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl.h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl.h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(curl.h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(curl.h, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(curl.h, CURLOPT_TIMEOUT, 300L);
    curl_easy_setopt(curl.h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl.h, CURLOPT_USERAGENT, "recur/0.1.0");
    CURLcode rc = curl_easy_perform(curl.h);
    if (rc != CURLE_OK) {
        std::string why = errbuf[0] ? errbuf : curl_easy_strerror(rc);
        throw std::runtime_error("fetch " + series + " from " + url + ": " + why);
    }
    long status = 0;
    curl_easy_getinfo(curl.h, CURLINFO_RESPONSE_CODE, &status);
    const char* scheme = nullptr;
    curl_easy_getinfo(curl.h, CURLINFO_SCHEME, &scheme);
    bool http = scheme && (std::string(scheme) == "HTTP" || std::string(scheme) == "HTTPS" ||
                           std::string(scheme) == "http" || std::string(scheme) == "https");
    if (http && status != 200)
        throw std::runtime_error("fetch " + series + " from " + url + ": HTTP status " +
                                 std::to_string(status) +
                                 (status == 404 ? " (no such series?)" : ""));
    return body;
}

}  // namespace

std::string fetch_fred(const std::string& series, const std::string& data_dir,
                       const std::string& base_url, FetchStats* stats) {
    if (!valid_series_id(series))
        throw std::runtime_error("fetch: '" + series +
                                 "' is not a FRED series id (letters, digits, '_')");
    const std::string url = expand_url(base_url, series);
    std::string body = download(series, url);

    const fs::path dir = fs::path(data_dir) / "fred";
    const fs::path dest = dir / (series + ".csv");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error("fetch " + series + ": cannot create " + dir.string() + ": " +
                                 ec.message());

    // Validate with the reader the case studies use, on a private temp file next to the target.
    const fs::path probe =
        dir / ("." + series + ".csv.validate-" + std::to_string(static_cast<long>(::getpid())));
    std::size_t rows = 0;
    {
        std::ofstream out(probe, std::ios::binary | std::ios::trunc);
        out.write(body.data(), static_cast<std::streamsize>(body.size()));
        if (!out) {
            fs::remove(probe, ec);
            throw std::runtime_error("fetch " + series + ": cannot write " + probe.string());
        }
    }
    try {
        rows = read_fred_csv(probe.string()).size();
    } catch (const std::exception& e) {
        fs::remove(probe, ec);
        std::string head = body.substr(0, 60);
        for (char& c : head)
            if (c == '\n' || c == '\r') c = ' ';
        throw std::runtime_error("fetch " + series + " from " + url +
                                 ": response is not a FRED CSV (" + e.what() + "; body starts '" +
                                 head + "')");
    }
    fs::remove(probe, ec);
    if (rows == 0)
        throw std::runtime_error("fetch " + series + " from " + url +
                                 ": response is a CSV with no observations");

    write_file_atomic(dest.string(), body);
    if (stats) {
        stats->bytes = body.size();
        stats->rows = rows;
    }
    return dest.string();
}

}  // namespace recur
