// recur/data/data.hpp — the whole data layer in one include: CSV reading (series.hpp), frames
// (frame.hpp), alignment (align.hpp), transforms (transforms.hpp), scalers (scaler.hpp) and
// rolling windows (windows.hpp).
#pragma once

#include "recur/data/align.hpp"
#include "recur/data/frame.hpp"
#include "recur/data/glove.hpp"
#include "recur/data/imdb.hpp"
#include "recur/data/npm_package.hpp"
#include "recur/data/scaler.hpp"
#include "recur/data/series.hpp"
#include "recur/data/stock_panel.hpp"
#include "recur/data/text.hpp"
#include "recur/data/transforms.hpp"
#include "recur/data/windows.hpp"
