// recur predict — applies a saved model to new data.
//
// Raw series (a date-indexed CSV such as a FRED download, or a data directory): the model's run
// directory must hold the config.toml and scaler.json written by `recur fit` / `reproduce`; the
// data is transformed, scaled and windowed as in training (casestudy::predict_run).
// Otherwise the input is windows: one sample per row, its T*F values flattened time-major within
// the sample (t0f0, t0f1, ..., t1f0, ...); a first row that does not parse as numbers is taken as a
// header. Output CSV: one row per sample with the model's outputs, written with 9 significant
// digits (float round-trips exactly).
//
// --stream: the input is a stream of observations, one time step per row (F values; with
// --series-column NAME a column of series ids, e.g. tickers, each with its own state). Each row is
// fed to a StreamingPredictor (model/streaming.hpp) and answered with the prediction after it as
// soon as it is read (`--data -` reads stdin line by line, for live use): the model's recurrent
// states carry from row to row.
#include <fmt/core.h>
#include <fmt/os.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "casestudy/runner.hpp"
#include "cli/commands.hpp"
#include "recur/io/model_io.hpp"
#include "recur/model/streaming.hpp"

namespace recur::cli {
namespace {

Tensor<float> read_rows(const std::string& path, Index per_sample) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<float> values;
    std::string line;
    Index line_no = 0, rows = 0;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        std::stringstream ss(line);
        std::string cell;
        Index col = 0;
        std::vector<float> row;
        bool header = false;
        while (std::getline(ss, cell, ',')) {
            ++col;
            try {
                size_t used = 0;
                float v = std::stof(cell, &used);
                while (used < cell.size() && std::isspace(static_cast<unsigned char>(cell[used])))
                    ++used;
                if (used != cell.size()) throw std::invalid_argument(cell);
                row.push_back(v);
            } catch (const std::exception&) {
                if (rows == 0 && line_no == 1) {
                    header = true;
                    break;
                }
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not a number", path,
                                                     line_no, col, cell));
            }
        }
        if (header) continue;
        if (static_cast<Index>(row.size()) != per_sample)
            throw std::runtime_error(
                fmt::format("{}:{}: {} values, the model expects {} per sample", path, line_no,
                            row.size(), per_sample));
        values.insert(values.end(), row.begin(), row.end());
        ++rows;
    }
    if (rows == 0) throw std::runtime_error(path + ": no samples");
    Tensor<float> x({rows, per_sample});
    std::copy(values.begin(), values.end(), x.data());
    return x;
}

// A directory, or a CSV whose header starts with a date column: raw series, not windows.
bool is_raw_series(const std::string& path) {
    if (std::filesystem::is_directory(path)) return true;
    std::ifstream in(path);
    std::string header;
    std::getline(in, header);
    if (header.size() >= 3 && static_cast<unsigned char>(header[0]) == 0xEF)
        header = header.substr(3);
    for (const char* name : {"DATE,", "observation_date,", "date,"})
        if (header.rfind(name, 0) == 0) return true;
    return false;
}

std::vector<std::string> split_csv_line(const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) {
        if (!cell.empty() && cell.back() == '\r') cell.pop_back();
        cells.push_back(cell);
    }
    return cells;
}

// recur predict --stream: one observation per row, one prediction per row, each answered as its
// line arrives (from a file, or from stdin with --data -, e.g. `tail -f bars.csv | recur predict
// --stream --data - ...`; with stdout as the output each prediction is flushed at once).
void predict_stream(const std::string& model_path, const std::string& path,
                    const std::string& output, const std::string& series_column) {
    Model<float> model = load_model<float>(model_path);
    std::ifstream file;
    std::istream* in = &std::cin;
    if (path != "-") {
        file.open(path);
        if (!file) throw std::runtime_error("cannot open " + path);
        in = &file;
    }
    const std::string where = path == "-" ? "stdin" : path;
    const bool to_stdout = output == "-", flush_each = to_stdout && path == "-";
    std::string text;  // a file output is written atomically at the end
    auto emit = [&](const std::string& row) {
        if (!to_stdout) {
            text += row;
            return;
        }
        fmt::print("{}", row);
        if (flush_each) std::fflush(stdout);
    };
    // A cell is a number when strtof consumes all of it (underflow to 0 or a denormal counts).
    auto parse = [](const std::string& c, float& v) {
        if (c.empty()) return false;
        char* end = nullptr;
        v = std::strtof(c.c_str(), &end);
        while (end && *end && std::isspace(static_cast<unsigned char>(*end))) ++end;
        return end && *end == '\0';
    };
    StreamingPredictor<float> live(model, 1);
    const Index features = live.input_size();
    // Series ids in order of first appearance; each gets its own state slot.
    std::unordered_map<std::string, Index> ids;
    Index series_col = -1, want = features, line_no = 0;
    bool first = true;
    std::vector<float> x(static_cast<size_t>(features));
    std::string line, row;
    while (std::getline(*in, line)) {
        ++line_no;
        if (line.empty() || line == "\r") continue;
        const std::vector<std::string> cells = split_csv_line(line);
        if (first) {
            first = false;
            // A header when a cell of the first row is not a number (always, with a series column).
            bool header = !series_column.empty();
            float v;
            for (const auto& c : cells) header = header || !parse(c, v);
            if (!series_column.empty()) {
                for (size_t k = 0; k < cells.size(); ++k)
                    if (cells[k] == series_column) series_col = static_cast<Index>(k);
                if (series_col < 0)
                    throw std::runtime_error(
                        fmt::format("{}:{}: no column named '{}'", where, line_no, series_column));
                ++want;
            }
            if (header) {
                row = series_col >= 0 ? series_column + "," : "";
                for (Index k = 0; k < live.output_size(); ++k)
                    row += fmt::format("{}y{}", k ? "," : "", k);
                emit(row + '\n');
                continue;
            }
        }
        if (static_cast<Index>(cells.size()) != want)
            throw std::runtime_error(fmt::format("{}:{}: {} values, expected {} ({} feature(s){})",
                                                 where, line_no, cells.size(), want, features,
                                                 series_col >= 0 ? " and the series id" : ""));
        Index f = 0;
        for (size_t k = 0; k < cells.size(); ++k) {
            if (static_cast<Index>(k) == series_col) continue;
            float v = 0;
            if (!parse(cells[k], v))
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not a number",
                                                     where, line_no, k + 1, cells[k]));
            if (!std::isfinite(v))
                throw std::runtime_error(fmt::format("{}:{}: column {}: '{}' is not finite", where,
                                                     line_no, k + 1, cells[k]));
            x[static_cast<size_t>(f++)] = v;
        }
        Index slot = 0;
        row.clear();
        if (series_col >= 0) {
            const std::string& id = cells[static_cast<size_t>(series_col)];
            auto it = ids.find(id);
            if (it == ids.end()) it = ids.emplace(id, ids.empty() ? 0 : live.add_series()).first;
            slot = it->second;
            row = id + ",";
        }
        const float* y = live.step(slot, x.data());
        for (Index k = 0; k < live.output_size(); ++k)
            row += fmt::format("{}{:.9g}", k ? "," : "", y[k]);
        emit(row + '\n');
    }
    if (first) throw std::runtime_error(where + ": no observations");
    if (!to_stdout) write_file_atomic(output, text);
}

}  // namespace

void add_predict_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("predict", "Apply a saved model to samples in a CSV file");
    auto model_path = std::make_shared<std::string>();
    auto input = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>("-");
    cmd->add_option("--model", *model_path, "Model file written by recur (save_model)")->required();
    cmd->add_option("--input,--data", *input,
                    "CSV, one sample per row (flattened T*F values); with --stream, '-' reads "
                    "observations from stdin as they arrive")
        ->required();
    cmd->add_option("--output,--out", *output, "Output CSV ('-' = stdout)");
    auto stream = std::make_shared<bool>(false);
    auto series_column = std::make_shared<std::string>();
    cmd->add_flag("--stream", *stream,
                  "Input is a stream of observations (one time step per row); states carry "
                  "from row to row and every row gets the prediction after it, written as "
                  "soon as the row is read");
    cmd->add_option("--series-column", *series_column,
                    "With --stream: the column of series ids (e.g. tickers); each series keeps "
                    "its own state");
    cmd->callback([=] {
        if (*stream) {
            predict_stream(*model_path, *input, *output, *series_column);
            return;
        }
        if (!series_column->empty()) throw std::runtime_error("--series-column needs --stream");
        if (is_raw_series(*input)) {
            // A date-indexed CSV (or a data directory): transform, scale and window it as the
            // run that saved the model did (config.toml and scaler.json beside model.recur).
            auto run_dir = std::filesystem::path(*model_path).parent_path();
            if (run_dir.empty()) run_dir = ".";
            if (!std::filesystem::exists(run_dir / "config.toml") ||
                !std::filesystem::exists(run_dir / "scaler.json"))
                throw std::runtime_error(*input + " is a date-indexed series, but " +
                                         run_dir.string() +
                                         " has no config.toml + scaler.json from `recur fit` / "
                                         "`recur reproduce` to transform it with");
            casestudy::predict_run(run_dir.string(), *input, *output);
            return;
        }
        Model<float> model = load_model<float>(*model_path);
        if (model.num_inputs() != 1 || model.num_outputs() != 1) {
            std::string names;
            for (std::size_t k = 0; k < model.num_inputs(); ++k)
                names += (k ? ", " : "") + model.input_name(k);
            throw std::runtime_error(*model_path + " has " + std::to_string(model.num_inputs()) +
                                     " inputs (" + names + ") and " +
                                     std::to_string(model.num_outputs()) +
                                     " outputs; recur predict reads one input from a CSV. Use "
                                     "Model::predict with a recur::Dataset from C++.");
        }
        const ShapeSpec& in = model.input_spec();
        Index per = in.kind == ShapeSpec::Kind::vector ? in.features : in.steps * in.features;
        Tensor<float> flat = read_rows(*input, per);
        std::vector<Index> shape{flat.dim(0)};
        if (in.kind == ShapeSpec::Kind::vector)
            shape.push_back(in.features);
        else if (in.kind == ShapeSpec::Kind::ids)
            shape.push_back(in.steps);
        else
            shape.insert(shape.end(), {in.steps, in.features});
        Tensor<float> x(shape);
        std::copy(flat.data(), flat.data() + flat.size(), x.data());
        Tensor<float> y = model.predict(x);
        Index per_out = y.size() / y.dim(0);
        std::string text;
        for (Index i = 0; i < y.dim(0); ++i) {
            for (Index k = 0; k < per_out; ++k)
                text += fmt::format("{}{:.9g}", k ? "," : "", y[i * per_out + k]);
            text += '\n';
        }
        if (*output == "-")
            fmt::print("{}", text);
        else
            write_file_atomic(*output, text);
    });
}

}  // namespace recur::cli
