// Model files: save_model / load_model / load_weights and the atomic writer.
// The byte layout is specified in docs/FORMAT.md; keep the two in step.
#include "recur/io/model_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <utility>
#include <vector>

namespace recur {

static_assert(std::endian::native == std::endian::little,
              "recur's model files are little-endian and written with memcpy; "
              "a big-endian host needs byte swapping in model_io.cpp");
static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559,
              "model files store IEEE-754 binary32 values");

namespace {

using json = nlohmann::json;

constexpr char kMagic[8] = {'R', 'E', 'C', 'U', 'R', 'M', 'D', 'L'};
constexpr std::size_t kHeaderSize = 24;  // magic 8 + version 4 + flags 4 + payload length 8
constexpr std::size_t kCrcSize = 4;

// ------------------------------------------------------------------ CRC-32 (IEEE 802.3, zlib)
// Reflected polynomial 0xEDB88320, initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF.
// crc32("123456789") == 0xCBF43926.
constexpr std::array<std::uint32_t, 256> make_crc_table() {
    std::array<std::uint32_t, 256> table{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}
constexpr auto kCrcTable = make_crc_table();

std::uint32_t crc32(const char* data, std::size_t n) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i)
        c = kCrcTable[(c ^ static_cast<unsigned char>(data[i])) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

// ------------------------------------------------------------------ little-endian writing
template <typename U>
void put(std::string& out, U v) {
    char buf[sizeof(U)];
    std::memcpy(buf, &v, sizeof(U));
    out.append(buf, sizeof(U));
}

template <typename U>
U get(const char* p) {
    U v;
    std::memcpy(&v, p, sizeof(U));
    return v;
}

// ------------------------------------------------------------------ architecture JSON
const char* kind_name(ShapeSpec::Kind k) {
    switch (k) {
        case ShapeSpec::Kind::vector:
            return "vector";
        case ShapeSpec::Kind::sequence:
            return "sequence";
        case ShapeSpec::Kind::ids:
            return "ids";
    }
    return "?";
}

json spec_to_json(const ShapeSpec& s) {
    return {{"kind", kind_name(s.kind)}, {"steps", s.steps}, {"features", s.features}};
}

std::string spec_string(const ShapeSpec& s) {
    return std::string(kind_name(s.kind)) + " " + s.keras_string();
}

template <typename T>
std::string tensor_name(const Layer<T>& layer, const Param<T>& p) {
    return layer.name() + "/" + p.name;
}

// The error every reading problem becomes: "<who>: <path>: <problem>".
[[noreturn]] void fail(const char* who, const std::string& path, const std::string& problem) {
    throw FormatError(std::string(who) + ": " + path + ": " + problem);
}

// Bounds-checked cursor over the payload. The checksum has already been verified when it is used,
// so running off the end means the writer was wrong (or the file was forged): "corrupt".
class Reader {
  public:
    // Reads `size` bytes at `data`, which lie at offset `base` in the file.
    Reader(const char* data, std::size_t base, std::size_t size, const char* who,
           const std::string& path)
        : p_(data + base), base_(base), n_(size), who_(who), path_(path) {}

    template <typename U>
    U read(const char* what) {
        need(sizeof(U), what);
        U v = get<U>(p_ + pos_);
        pos_ += sizeof(U);
        return v;
    }
    std::string_view bytes(std::uint64_t n, const char* what) {
        need(n, what);
        std::string_view s(p_ + pos_, static_cast<std::size_t>(n));
        pos_ += static_cast<std::size_t>(n);
        return s;
    }
    std::size_t remaining() const { return n_ - pos_; }
    std::size_t offset() const { return base_ + pos_; }  // position in the file
    [[noreturn]] void corrupt(const std::string& what) const {
        fail(who_, path_, "corrupt: " + what);
    }

  private:
    void need(std::uint64_t n, const char* what) const {
        if (n > remaining())
            corrupt(std::string("payload ends inside ") + what + " (needs " + std::to_string(n) +
                    " bytes, " + std::to_string(remaining()) + " left)");
    }
    const char* p_;
    std::size_t base_;
    std::size_t n_;
    std::size_t pos_ = 0;
    const char* who_;
    const std::string& path_;
};

// One tensor record as stored: name, shape, trainable flag and where its float32 values are.
struct TensorRecord {
    std::string name;
    std::vector<Index> shape;
    bool trainable = true;
    std::size_t values_at = 0;  // offset in the file of count(shape) little-endian float32s
};

TensorRecord read_tensor(Reader& r) {
    TensorRecord t;
    auto name_len = r.read<std::uint32_t>("a tensor name length");
    t.name = std::string(r.bytes(name_len, "a tensor name"));
    auto rank = r.read<std::uint32_t>("a tensor rank");
    // Each dimension costs 8 bytes, so an absurd rank runs off the end instead of allocating.
    if (std::uint64_t(rank) * 8 > r.remaining())
        r.corrupt("tensor '" + t.name + "' has rank " + std::to_string(rank) +
                  ", more than the payload can hold");
    std::uint64_t count = 1;
    for (std::uint32_t i = 0; i < rank; ++i) {
        auto d = r.read<std::uint64_t>("a tensor shape");
        // The values need count * 4 bytes; refuse before that product can overflow.
        if (d > std::uint64_t(std::numeric_limits<Index>::max()) ||
            (d != 0 && count > r.remaining() / d))
            r.corrupt("tensor '" + t.name + "' has a dimension of " + std::to_string(d) +
                      ", more than the payload can hold");
        count *= d;
        t.shape.push_back(static_cast<Index>(d));
    }
    auto flag = r.read<std::uint8_t>("a tensor trainable flag");
    if (flag > 1)
        r.corrupt("tensor '" + t.name + "' has trainable flag " + std::to_string(flag) +
                  " (expected 0 or 1)");
    t.trainable = flag == 1;
    t.values_at = r.offset();
    r.bytes(count * 4, "tensor values");
    return t;
}

template <typename T>
void copy_values(const std::string& file, const TensorRecord& rec, Tensor<T>& dst) {
    const char* p = file.data() + rec.values_at;
    for (Index i = 0; i < dst.size(); ++i)
        dst[i] = static_cast<T>(get<float>(p + static_cast<std::size_t>(i) * 4));
}

// A parsed, checksum-verified model file.
struct ModelFile {
    std::string bytes;   // the whole file
    json arch;           // {"input": {...}, "layers": [{"kind", "name", "config"}, ...]}
    ShapeSpec input;     // the first input (the only one of a Sequential file)
    bool graph = false;  // a functional Model: "inputs", per-layer "inbound", "outputs"
    std::vector<TensorRecord> tensors;
};

std::string read_whole_file(const char* who, const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) fail(who, path, std::string("cannot open: ") + std::strerror(errno));
    std::string out;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    bool bad = std::ferror(f);
    int err = errno;
    std::fclose(f);
    if (bad) fail(who, path, std::string("cannot read: ") + std::strerror(err));
    return out;
}

ShapeSpec parse_spec(const json& j) {
    const std::string kind = j.at("kind").get<std::string>();
    ShapeSpec s;
    if (kind == "vector")
        s.kind = ShapeSpec::Kind::vector;
    else if (kind == "sequence")
        s.kind = ShapeSpec::Kind::sequence;
    else if (kind == "ids")
        s.kind = ShapeSpec::Kind::ids;
    else
        throw std::invalid_argument("unknown input kind '" + kind + "'");
    s.steps = j.at("steps").get<Index>();
    s.features = j.at("features").get<Index>();
    if (s.steps < 0 || s.features < 0) throw std::invalid_argument("negative input dimension");
    return s;
}

// Reads `path` and runs the checks shared by load_model and load_weights, in the documented
// order: open, magic, version, length, checksum, then the payload's structure.
ModelFile read_model_file(const char* who, const std::string& path) {
    ModelFile mf;
    mf.bytes = read_whole_file(who, path);
    const std::string& b = mf.bytes;
    const std::size_t size = b.size();

    const std::size_t magic_len = std::min(size, sizeof kMagic);
    if (size == 0 || std::memcmp(b.data(), kMagic, magic_len) != 0)
        fail(who, path,
             size == 0 ? "not a recur model file (the file is empty)"
                       : "not a recur model file (bad magic; expected \"RECURMDL\")");
    if (size < kHeaderSize)
        fail(who, path,
             "truncated: expected at least " + std::to_string(kHeaderSize) +
                 " bytes (the header), found " + std::to_string(size));

    const auto version = get<std::uint32_t>(b.data() + 8);
    if (version > kModelFormatVersion)
        fail(who, path,
             "format version " + std::to_string(version) + " is newer than this build supports (" +
                 std::to_string(kModelFormatVersion) + "); upgrade recur");
    if (version == 0) fail(who, path, "not a recur model file (format version 0 is invalid)");
    // Bytes 12..15 are reserved flags: written as 0, ignored by version-1 readers.

    const auto payload_len = get<std::uint64_t>(b.data() + 16);
    const std::uint64_t max_payload =
        std::numeric_limits<std::uint64_t>::max() - kHeaderSize - kCrcSize;
    if (payload_len > max_payload)
        fail(who, path,
             "corrupt: header claims a payload of " + std::to_string(payload_len) + " bytes");
    const std::uint64_t expected = kHeaderSize + payload_len + kCrcSize;
    if (size < expected)
        fail(who, path,
             "truncated: expected " + std::to_string(expected) + " bytes, found " +
                 std::to_string(size));

    const std::size_t crc_at = kHeaderSize + static_cast<std::size_t>(payload_len);
    if (crc32(b.data(), crc_at) != get<std::uint32_t>(b.data() + crc_at))
        fail(who, path, "corrupt: checksum mismatch");
    if (size > expected)
        fail(who, path,
             "corrupt: " + std::to_string(size - expected) +
                 " unexpected bytes after the checksum (expected " + std::to_string(expected) +
                 " bytes, found " + std::to_string(size) + ")");

    Reader r(b.data(), kHeaderSize, static_cast<std::size_t>(payload_len), who, path);
    const auto json_len = r.read<std::uint64_t>("the architecture length");
    const std::string_view text = r.bytes(json_len, "the architecture JSON");
    try {
        mf.arch = json::parse(text.begin(), text.end());
        mf.graph = mf.arch.contains("inputs");
        if (mf.graph) {
            const json& inputs = mf.arch.at("inputs");
            if (!inputs.is_array() || inputs.empty())
                throw std::invalid_argument("\"inputs\" is not a non-empty array");
            for (const json& in : inputs) {
                in.at("name").get<std::string>();
                parse_spec(in.at("shape"));
            }
            mf.input = parse_spec(inputs[0].at("shape"));
            if (!mf.arch.at("outputs").is_array())
                throw std::invalid_argument("\"outputs\" is not an array");
        } else {
            mf.input = parse_spec(mf.arch.at("input"));
        }
        const json& layers = mf.arch.at("layers");
        if (!layers.is_array()) throw std::invalid_argument("\"layers\" is not an array");
        for (const json& l : layers) {
            l.at("kind").get<std::string>();
            l.at("name").get<std::string>();
            if (mf.graph && !l.at("inbound").is_array())
                throw std::invalid_argument("a layer's \"inbound\" is not an array");
            if (!l.at("config").is_object())
                throw std::invalid_argument("a layer's \"config\" is not an object");
        }
    } catch (const std::exception& e) {  // json::exception or std::invalid_argument
        r.corrupt(std::string("bad architecture JSON: ") + e.what());
    }

    const auto count = r.read<std::uint32_t>("the tensor count");
    for (std::uint32_t i = 0; i < count; ++i) mf.tensors.push_back(read_tensor(r));
    if (r.remaining() != 0)
        r.corrupt(std::to_string(r.remaining()) + " unexpected bytes after the last tensor");
    return mf;
}

// Copies the file's tensors into `model`'s parameters (same count, order and shapes).
// `check_layer_names`: load_model requires "<layer>/<param>" to match exactly; load_weights only
// the parameter part, since the caller's model may name its layers differently.
template <typename T>
void copy_tensors(const char* who, const std::string& path, const ModelFile& mf, Model<T>& model,
                  bool check_layer_names, bool set_trainable) {
    std::vector<std::pair<Param<T>*, std::string>> params;
    for (std::size_t i = 0; i < model.size(); ++i)
        for (Param<T>* p : model.layer(i).params())
            params.emplace_back(p, tensor_name<T>(model.layer(i), *p));
    if (params.size() != mf.tensors.size())
        fail(who, path,
             "file has " + std::to_string(mf.tensors.size()) + " weight tensors, the model has " +
                 std::to_string(params.size()));
    for (std::size_t i = 0; i < params.size(); ++i) {
        const TensorRecord& rec = mf.tensors[i];
        Param<T>& p = *params[i].first;
        const std::string& want = params[i].second;
        const bool name_ok = check_layer_names
                                 ? rec.name == want
                                 : rec.name.size() > p.name.size() &&
                                       rec.name.compare(rec.name.size() - p.name.size(),
                                                        p.name.size(), p.name) == 0 &&
                                       rec.name[rec.name.size() - p.name.size() - 1] == '/';
        if (!name_ok)
            fail(who, path,
                 "weight tensor " + std::to_string(i) + " is named '" + rec.name +
                     "' in the file, the model expects '" + want + "'");
        if (rec.shape != p.value.shape())
            fail(who, path,
                 "weight tensor '" + rec.name + "' has shape " + shape_to_string(rec.shape) +
                     " in the file, the model expects " + shape_to_string(p.value.shape()));
    }
    // All checked: only now modify the model, so a refused file leaves it untouched.
    for (std::size_t i = 0; i < params.size(); ++i) {
        Param<T>& p = *params[i].first;
        copy_values(mf.bytes, mf.tensors[i], p.value);
        if (set_trainable) {
            p.trainable = mf.tensors[i].trainable;
            if (p.trainable && p.grad.shape() != p.value.shape()) p.grad.assign(p.value.shape(), 0);
        }
    }
}

// Config comparison for load_weights. "trainable" is a training choice, not architecture: a
// model with a frozen Embedding may load weights saved from one that trained it (as in Keras).
json comparable_config(json config) {
    config.erase("trainable");
    config.erase("sparse");  // how gradients are stored, not what the layer computes
    return config;
}

}  // namespace

// ------------------------------------------------------------------ public API

void write_file_atomic(const std::string& path, const std::string& bytes) {
    const std::string tmp = path + ".tmp-" + std::to_string(static_cast<long>(::getpid()));
    auto error = [&](const std::string& step, int err) {
        return std::runtime_error("write_file_atomic: " + step + " '" + path +
                                  "': " + std::strerror(err));
    };
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) throw error("cannot create the temporary file for", errno);

    // Any failure from here on closes (if open) and removes the temporary file.
    auto abandon = [&](const std::string& step, int err, bool close_fd) {
        if (close_fd) ::close(fd);
        ::unlink(tmp.c_str());
        return error(step, err);
    };
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw abandon("cannot write", errno, true);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) throw abandon("cannot flush (fsync)", errno, true);
    if (::close(fd) != 0) throw abandon("cannot close", errno, false);
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw abandon("cannot rename over", errno, false);

    // Make the rename itself durable. Best effort: the data is already safely in place.
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)::fsync(dfd);
        ::close(dfd);
    }
}

template <typename T>
void save_model(const Model<T>& model, const std::string& path) {
    json layers = json::array();
    for (std::size_t i = 0; i < model.size(); ++i) {
        const Layer<T>& l = model.layer(i);
        json entry = {
            {"kind", l.kind()}, {"name", l.name()}, {"config", json::parse(l.config_json())}};
        if (!model.is_sequential()) entry["inbound"] = model.layer_inbound(i);
        layers.push_back(entry);
    }
    json arch;
    if (model.is_sequential()) {
        arch = {{"input", spec_to_json(model.input_spec())}, {"layers", layers}};
    } else {
        json inputs = json::array(), outputs = json::array();
        for (std::size_t k = 0; k < model.num_inputs(); ++k)
            inputs.push_back(
                {{"name", model.input_name(k)}, {"shape", spec_to_json(model.input_spec(k))}});
        for (std::size_t k = 0; k < model.num_outputs(); ++k)
            outputs.push_back(model.output_name(k));
        arch = {{"inputs", inputs}, {"layers", layers}, {"outputs", outputs}};
    }
    const std::string arch_text = arch.dump();

    std::string payload;
    put<std::uint64_t>(payload, arch_text.size());
    payload += arch_text;

    std::vector<std::pair<const Param<T>*, std::string>> params;
    for (std::size_t i = 0; i < model.size(); ++i)
        for (const Param<T>* p : model.layer(i).params())
            params.emplace_back(p, tensor_name<T>(model.layer(i), *p));
    if (params.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("save_model: too many weight tensors");
    put<std::uint32_t>(payload, static_cast<std::uint32_t>(params.size()));
    for (const auto& [p, name] : params) {
        const Tensor<T>& v = p->value;
        if (v.size() != Tensor<T>::count(v.shape()))
            throw std::logic_error("save_model: tensor '" + name + "' has shape " +
                                   shape_to_string(v.shape()) + " but " + std::to_string(v.size()) +
                                   " values");
        put<std::uint32_t>(payload, static_cast<std::uint32_t>(name.size()));
        payload += name;
        put<std::uint32_t>(payload, static_cast<std::uint32_t>(v.rank()));
        for (Index d : v.shape()) put<std::uint64_t>(payload, static_cast<std::uint64_t>(d));
        put<std::uint8_t>(payload, p->trainable ? 1 : 0);
        const std::size_t at = payload.size();
        payload.resize(at + static_cast<std::size_t>(v.size()) * 4);
        for (Index i = 0; i < v.size(); ++i) {
            const float f = static_cast<float>(v[i]);
            std::memcpy(payload.data() + at + static_cast<std::size_t>(i) * 4, &f, 4);
        }
    }

    std::string bytes;
    bytes.reserve(kHeaderSize + payload.size() + kCrcSize);
    bytes.append(kMagic, sizeof kMagic);
    put<std::uint32_t>(bytes, kModelFormatVersion);
    put<std::uint32_t>(bytes, 0);  // flags, reserved
    put<std::uint64_t>(bytes, payload.size());
    bytes += payload;
    put<std::uint32_t>(bytes, crc32(bytes.data(), bytes.size()));
    write_file_atomic(path, bytes);
}

namespace {
// Rebuilds layer i of a model file; errors name the layer.
template <typename T>
std::unique_ptr<Layer<T>> rebuild_layer(const char* who, const std::string& path, const json& l,
                                        std::size_t i) {
    const std::string kind = l.at("kind").get<std::string>();
    const std::string name = l.at("name").get<std::string>();
    try {
        auto layer = layer_from_config<T>(kind, l.at("config").dump());
        layer->set_name(name);
        return layer;
    } catch (const std::exception& e) {
        fail(who, path,
             "cannot rebuild layer " + std::to_string(i + 1) + " ('" + name + "', " + kind +
                 "): " + e.what());
    }
}

template <typename T>
Model<T> build_graph(const char* who, const std::string& path, const ModelFile& mf) {
    Model<T> model;
    std::map<std::string, NodeRef> nodes;
    try {
        for (const json& in : mf.arch.at("inputs")) {
            const std::string name = in.at("name").get<std::string>();
            nodes[name] = model.input(name, parse_spec(in.at("shape")));
        }
        const json& layers = mf.arch.at("layers");
        for (std::size_t i = 0; i < layers.size(); ++i) {
            std::vector<NodeRef> inbound;
            for (const json& n : layers[i].at("inbound")) {
                auto it = nodes.find(n.get<std::string>());
                if (it == nodes.end())
                    throw std::invalid_argument(
                        "layer '" + layers[i].at("name").get<std::string>() + "' reads '" +
                        n.get<std::string>() + "', which comes later or does not exist");
                inbound.push_back(it->second);
            }
            auto layer = rebuild_layer<T>(who, path, layers[i], i);
            const std::string name = layer->name();
            // Output k >= 1 of a several-output layer is read as "name:k" (Model::layer_inbound).
            const std::vector<NodeRef> outs = model.add_outputs(std::move(layer), inbound);
            for (std::size_t k = 0; k < outs.size(); ++k)
                nodes[k == 0 ? name : name + ":" + std::to_string(k)] = outs[k];
        }
        std::vector<NodeRef> outputs;
        for (const json& o : mf.arch.at("outputs"))
            outputs.push_back(nodes.at(o.get<std::string>()));
        model.set_outputs(outputs);
    } catch (const FormatError&) {
        throw;
    } catch (const std::exception& e) {
        fail(who, path, std::string("cannot rebuild the graph: ") + e.what());
    }
    return model;
}
}  // namespace

template <typename T>
Model<T> load_model(const std::string& path) {
    const char* who = "load_model";
    const ModelFile mf = read_model_file(who, path);
    if (mf.graph) {
        Model<T> model = build_graph<T>(who, path, mf);
        copy_tensors(who, path, mf, model, /*check_layer_names=*/true, /*set_trainable=*/true);
        return model;
    }
    Sequential<T> model(mf.input);
    const json& layers = mf.arch.at("layers");
    for (std::size_t i = 0; i < layers.size(); ++i) {
        auto layer = rebuild_layer<T>(who, path, layers[i], i);
        try {
            model.add(std::move(layer));
        } catch (const std::exception& e) {
            fail(who, path,
                 "cannot rebuild layer " + std::to_string(i + 1) + " ('" +
                     layers[i].at("name").get<std::string>() + "', " +
                     layers[i].at("kind").get<std::string>() + "): " + e.what());
        }
    }
    copy_tensors(who, path, mf, model, /*check_layer_names=*/true, /*set_trainable=*/true);
    return Model<T>(std::move(model));
}

template <typename T>
void load_weights(Model<T>& model, const std::string& path) {
    const char* who = "load_weights";
    const ModelFile mf = read_model_file(who, path);
    const std::string prefix = "architecture mismatch";
    if (!(mf.input == model.input_spec()))
        fail(who, path,
             prefix + ": file has input " + spec_string(mf.input) + ", model has input " +
                 spec_string(model.input_spec()));
    if (mf.graph != !model.is_sequential())
        fail(who, path,
             prefix + ": file holds a " + (mf.graph ? "functional Model" : "Sequential") +
                 ", the model is a " + (mf.graph ? "Sequential" : "functional Model"));
    if (mf.graph) {
        const json& inputs = mf.arch.at("inputs");
        if (inputs.size() != model.num_inputs())
            fail(who, path,
                 prefix + ": file has " + std::to_string(inputs.size()) + " inputs, model has " +
                     std::to_string(model.num_inputs()));
        for (std::size_t k = 0; k < inputs.size(); ++k)
            if (!(parse_spec(inputs[k].at("shape")) == model.input_spec(k)))
                fail(who, path,
                     prefix + ": file has input " + std::to_string(k + 1) + " " +
                         spec_string(parse_spec(inputs[k].at("shape"))) + ", model has " +
                         spec_string(model.input_spec(k)));
    }
    const json& layers = mf.arch.at("layers");
    if (layers.size() != model.size())
        fail(who, path,
             prefix + ": file has " + std::to_string(layers.size()) + " layers, model has " +
                 std::to_string(model.size()));
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const Layer<T>& ml = model.layer(i);
        const std::string file_kind = layers[i].at("kind").get<std::string>();
        const json& file_config = layers[i].at("config");
        const json model_config = json::parse(ml.config_json());
        if (file_kind != ml.kind() ||
            comparable_config(file_config) != comparable_config(model_config))
            fail(who, path,
                 prefix + " at layer " + std::to_string(i + 1) + ": file has " + file_kind + " " +
                     file_config.dump() + ", model has " + ml.kind() + " " + model_config.dump());
        if (mf.graph) {
            std::vector<std::string> file_inbound, model_inbound = model.layer_inbound(i);
            for (const json& n : layers[i].at("inbound"))
                file_inbound.push_back(n.get<std::string>());
            // Layer names may differ; compare the wiring by position of the inbound nodes.
            if (file_inbound.size() != model_inbound.size())
                fail(who, path,
                     prefix + " at layer " + std::to_string(i + 1) + ": file's layer reads " +
                         std::to_string(file_inbound.size()) + " inputs, model's reads " +
                         std::to_string(model_inbound.size()));
        }
    }
    copy_tensors(who, path, mf, model, /*check_layer_names=*/false, /*set_trainable=*/false);
}

template void save_model<float>(const Model<float>&, const std::string&);
template void save_model<double>(const Model<double>&, const std::string&);
template Model<float> load_model<float>(const std::string&);
template Model<double> load_model<double>(const std::string&);
template void load_weights<float>(Model<float>&, const std::string&);
template void load_weights<double>(Model<double>&, const std::string&);

}  // namespace recur
