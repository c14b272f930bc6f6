#!/usr/bin/env bash
# The main job: set up, build, and run the book's S&P 500 case study (LSTM(20) on FRED SP500).
# Usage: bash scripts/main.sh [DATA_DIR]     DATA_DIR defaults to ../shared/data (this checkout's
#        neighbour); it must hold fred/SP500.csv (FRED's CSV download of series SP500).
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-../shared/data}
if [ ! -f "$data_dir/fred/SP500.csv" ]; then
  echo "main.sh: $data_dir/fred/SP500.csv not found; download FRED's SP500 CSV there" >&2
  exit 1
fi
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target example_sp500 recur_cli
mkdir -p runs/sp500
./build/recur summary sp500
./build/example_sp500 "$data_dir/fred/SP500.csv" runs/sp500/model.recur
echo "model saved to runs/sp500/model.recur"
