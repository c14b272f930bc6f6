// recur/io/model_io.hpp — saving and loading models (format: docs/FORMAT.md).
//
// A file holds the architecture (input shape and each layer's kind + options as JSON), every
// parameter (float32, little-endian) and a CRC-32 of all preceding bytes. Writes are atomic: the
// file is written to "<path>.tmp-<pid>", flushed, then renamed over <path>, so a crash never
// leaves a half-written model. Reading refuses, with a FormatError that says which:
//   - a file that is not a recur model (bad magic) or of a newer format version,
//   - a truncated file (fewer bytes than the header promises),
//   - a corrupt file (checksum mismatch),
//   - load_weights into a model whose architecture differs (names the first differing layer).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "recur/model/sequential.hpp"

namespace recur {

class FormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::uint32_t kModelFormatVersion = 1;

template <typename T>
void save_model(const Model<T>& model, const std::string& path);

// Rebuilds the model from the file's architecture and loads its weights. A Sequential's file
// comes back as a chain Model that prints and saves as a Sequential.
template <typename T>
Model<T> load_model(const std::string& path);

// Loads weights into an existing model after checking that the architectures match.
template <typename T>
void load_weights(Model<T>& model, const std::string& path);

// Builds one layer from its kind and config_json() (used by load_model and configs).
template <typename T>
std::unique_ptr<Layer<T>> layer_from_config(const std::string& kind, const std::string& config);

// Writes `bytes` to `path` atomically (temp file + fsync + rename). Throws std::runtime_error.
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace recur
