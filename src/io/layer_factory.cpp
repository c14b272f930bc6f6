// Builds a layer from its kind and config_json() (the inverse of Layer::config_json).
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "recur/io/model_io.hpp"
#include "recur/layers/attention.hpp"
#include "recur/layers/bidirectional.hpp"
#include "recur/layers/concatenate.hpp"
#include "recur/layers/dense.hpp"
#include "recur/layers/dropout.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"
#include "recur/layers/reshape.hpp"
#include "recur/layers/simple_rnn.hpp"

namespace recur {

namespace {
RecurrentOptions recurrent_options(const nlohmann::json& j) {
    RecurrentOptions o(j.at("units").get<Index>());
    o.return_sequences(j.value("return_sequences", false))
        .return_state(j.value("return_state", false))
        .go_backwards(j.value("go_backwards", false))
        .activation(activation_from_name(j.value("activation", "tanh")))
        .recurrent_activation(activation_from_name(j.value("recurrent_activation", "sigmoid")))
        .dropout(j.value("dropout", 0.0))
        .recurrent_dropout(j.value("recurrent_dropout", 0.0))
        .use_bias(j.value("use_bias", true))
        .unit_forget_bias(j.value("unit_forget_bias", true))
        .reset_after(j.value("reset_after", true));
    return o;
}
}  // namespace

template <typename T>
std::unique_ptr<Layer<T>> layer_from_config(const std::string& kind, const std::string& config) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(config);
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument("layer config for " + kind + " is not valid JSON: " + e.what());
    }
    try {
        if (kind == "Dense") {
            DenseOptions o(j.at("units").get<Index>());
            o.activation(activation_from_name(j.value("activation", "linear")))
                .use_bias(j.value("use_bias", true));
            return std::make_unique<Dense<T>>(o);
        }
        if (kind == "Embedding") {
            EmbeddingOptions o(j.at("input_dim").get<Index>(), j.at("output_dim").get<Index>());
            o.trainable(j.value("trainable", true)).sparse(j.value("sparse", true));
            return std::make_unique<Embedding<T>>(o);
        }
        if (kind == "Dropout") return std::make_unique<Dropout<T>>(j.at("rate").get<double>());
        if (kind == "LSTM") return std::make_unique<LSTM<T>>(recurrent_options(j));
        if (kind == "GRU") return std::make_unique<GRU<T>>(recurrent_options(j));
        if (kind == "SimpleRNN") return std::make_unique<SimpleRNN<T>>(recurrent_options(j));
        if (kind == "Bidirectional") {
            const nlohmann::json& inner = j.at("layer");
            return std::make_unique<Bidirectional<T>>(
                make_recurrent<T>(inner.at("kind").get<std::string>(),
                                  recurrent_options(inner.at("config"))),
                j.value("merge_mode", std::string("concat")));
        }
        if (kind == "Concatenate") {
            if (j.value("axis", -1) != -1)
                throw std::invalid_argument("Concatenate: only axis -1 is supported");
            return std::make_unique<Concatenate<T>>();
        }
        if (kind == "Reshape")
            return std::make_unique<Reshape<T>>(j.at("target_shape").get<std::vector<Index>>());
        if (kind == "Flatten") return std::make_unique<Flatten<T>>();
        if (kind == "Attention")
            return std::make_unique<Attention<T>>(
                AttentionOptions()
                    .score(attention_score_from_name(j.value("score", std::string("dot"))))
                    .units(j.value("units", Index(0))));
    } catch (const nlohmann::json::exception& e) {
        throw std::invalid_argument("layer config for " + kind + ": " + e.what());
    }
    throw std::invalid_argument("unknown layer kind '" + kind +
                                "' (known: Dense, Embedding, Dropout, SimpleRNN, LSTM, GRU, "
                                "Bidirectional, Concatenate, Reshape, Flatten, Attention)");
}

template std::unique_ptr<Layer<float>> layer_from_config<float>(const std::string&,
                                                                const std::string&);
template std::unique_ptr<Layer<double>> layer_from_config<double>(const std::string&,
                                                                  const std::string&);

}  // namespace recur
