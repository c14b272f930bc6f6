#include "recur/model/book_models.hpp"

#include <stdexcept>

#include "recur/layers/dense.hpp"
#include "recur/layers/embedding.hpp"
#include "recur/layers/gru.hpp"
#include "recur/layers/lstm.hpp"

namespace recur {

std::vector<std::string> book_model_names() {
    return {"sp500", "macro", "imdb", "imdb-glove"};
}

template <typename T>
Sequential<T> book_model(const std::string& name, const BookModelOptions& options) {
    // Keras 2.2.4 recurrent defaults, as the book's E1 notebooks ran.
    auto keras22 = [](Index units) {
        return RecurrentOptions(units)
            .recurrent_activation(Activation::hard_sigmoid)
            .reset_after(false);
    };
    if (name == "sp500") {
        Sequential<T> m(ShapeSpec::sequence(63, 1), options.seed);
        m.template add<LSTM<T>>(keras22(20));
        m.template add<Dense<T>>(DenseOptions(1));
        return m;
    }
    if (name == "macro") {
        Sequential<T> m(ShapeSpec::sequence(24, 2), options.seed);
        m.template add<LSTM<T>>(
            keras22(12).dropout(0.2).recurrent_dropout(0.2).return_sequences(true));
        m.template add<LSTM<T>>(keras22(6).dropout(0.2).recurrent_dropout(0.2));
        m.template add<Dense<T>>(DenseOptions(10));
        m.template add<Dense<T>>(DenseOptions(2));
        return m;
    }
    if (name == "imdb" || name == "imdb-glove") {
        bool glove = name == "imdb-glove";
        Index vocab = options.vocab_size > 0 ? options.vocab_size : (glove ? 88586 : 20000);
        Sequential<T> m(ShapeSpec::ids(100), options.seed);
        m.template add<Embedding<T>>(EmbeddingOptions(vocab, 100).trainable(!glove));
        m.template add<GRU<T>>(keras22(32).dropout(0.2).recurrent_dropout(0.2));
        m.template add<Dense<T>>(DenseOptions(1).activation(Activation::sigmoid));
        return m;
    }
    std::string known;
    for (const auto& n : book_model_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown book model '" + name + "' (known: " + known + ")");
}

template Sequential<float> book_model<float>(const std::string&, const BookModelOptions&);
template Sequential<double> book_model<double>(const std::string&, const BookModelOptions&);

}  // namespace recur
