// report/report.hpp — the files a case study writes: metrics JSON, and SVG line plots drawn by
// hand (no plotting library): axes with tick labels, one polyline per series, a legend.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace recur::report {

using Metrics = std::vector<std::pair<std::string, double>>;  // in output order

// {"key": number, ...} with 2-space indent; a NaN or infinity is written as null.
std::string metrics_json(const Metrics& metrics);

struct Line {
    std::string name;
    std::vector<double> y;  // NaN points are skipped (the line is broken there)
    std::string color;      // any SVG colour; empty: a default palette
};

struct Plot {
    std::string title;
    std::string y_label;
    std::vector<std::string> x_labels;  // one per point (dates, epochs); empty: 1, 2, ...
    std::vector<Line> lines;
    bool log_y = false;
};

// One or more panels stacked vertically, each 860 x 300 px.
std::string svg_plots(const std::vector<Plot>& panels);

}  // namespace recur::report
