// A program outside the recur tree, built against an installed recur (find_package).
#include <cstdio>
#include <recur/recur.hpp>
int main() {
    recur::Sequential<float> m(recur::ShapeSpec::sequence(63, 1));
    m.add<recur::LSTM<float>>(recur::LSTMOptions(20));
    m.add<recur::Dense<float>>(recur::DenseOptions(1));
    std::printf("%s", m.summary().c_str());
}
