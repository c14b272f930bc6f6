// Helpers for the data-layer tests (stock panel, npm packages, IMDB, GloVe): a per-test
// temporary directory, environment overrides, file writing, gzip'd tar archives, npm's
// integrity string, a fake `npm` script, and the message of a DataError.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "recur/data/frame.hpp"

namespace recur::testing {

namespace fs = std::filesystem;

// A directory of its own for the current test, created empty and removed afterwards.
struct TestDir {
    fs::path path;
    TestDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        path = fs::temp_directory_path() /
               (std::string("recur_") + info->test_suite_name() + "_" + info->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TestDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path operator/(const std::string& name) const { return path / name; }
};

// Sets (or, with nullptr, unsets) an environment variable for the life of the object.
struct EnvVar {
    std::string name;
    std::optional<std::string> old;
    EnvVar(std::string n, const char* value) : name(std::move(n)) {
        if (const char* v = std::getenv(name.c_str())) old = v;
        if (value)
            ::setenv(name.c_str(), value, 1);
        else
            ::unsetenv(name.c_str());
    }
    ~EnvVar() {
        if (old)
            ::setenv(name.c_str(), old->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
};

inline std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string write_file(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
}

inline void write_tgz(const fs::path& path,
                      const std::vector<std::pair<std::string, std::string>>& members) {
    struct archive* a = archive_write_new();
    ASSERT_NE(a, nullptr);
    archive_write_set_format_ustar(a);
    archive_write_add_filter_gzip(a);
    ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
    for (const auto& [name, data] : members) {
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, name.c_str());
        archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
        ASSERT_EQ(archive_write_data(a, data.data(), data.size()),
                  static_cast<la_ssize_t>(data.size()));
        archive_entry_free(e);
    }
    ASSERT_EQ(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
}

inline std::string integrity_of(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha512(), nullptr), 1);
    unsigned char b64[128];
    const int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
    return "sha512-" + std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

// `text` with every "@KEY@" replaced by its value.
inline std::string fill(std::string text,
                        const std::vector<std::pair<std::string, std::string>>& values) {
    for (const auto& [key, value] : values)
        for (std::size_t at; (at = text.find(key)) != std::string::npos;)
            text.replace(at, key.size(), value);
    return text;
}

// A fake npm that copies SOURCE into --pack-destination as NAME.
inline fs::path write_fake_npm(const fs::path& dir, const fs::path& source,
                               const std::string& name) {
    const fs::path script = dir / "fake-npm";
    write_file(script, fill(R"(#!/bin/sh
dest=
while [ $# -gt 0 ]; do
  if [ "$1" = --pack-destination ]; then dest="$2"; shift; fi
  shift
done
cp '@SOURCE@' "$dest/@NAME@"
)",
                            {{"@SOURCE@", source.string()}, {"@NAME@", name}}));
    fs::permissions(script, fs::perms::owner_all);
    return script;
}

inline std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        out.push_back(fs::relative(e.path(), dir).string());
    std::sort(out.begin(), out.end());
    return out;
}

template <typename F>
std::string data_error(F f) {
    try {
        f();
    } catch (const DataError& e) {
        return e.what();
    }
    return "";
}

}  // namespace recur::testing
