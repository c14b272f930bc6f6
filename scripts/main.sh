#!/usr/bin/env bash
# The main job: set up, build, and run the book's S&P 500 case study (LSTM(20) on FRED SP500).
# Usage: bash scripts/main.sh [DATA_DIR [reproduce flags...]]     DATA_DIR defaults to ../shared/data (this checkout's
#        neighbour); it must hold fred/SP500.csv (FRED's CSV download of series SP500).
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir=${1:-../shared/data}
if [ ! -f "$data_dir/fred/SP500.csv" ]; then
  echo "main.sh: $data_dir/fred/SP500.csv not found; download FRED's SP500 CSV there" >&2
  exit 1
fi
bash scripts/setup.sh
source scripts/configure.sh
configure build g++ -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(( $(nproc) + 1 ))" --target recur_cli example_sp500
./build/recur summary sp500
# The book's settings live in configs/sp500.toml; outputs: runs/sp500/{metrics.json,history.csv,
# predictions.csv,learning_curve.svg,test_predictions.svg,model.recur}
./build/recur reproduce sp500 --data-dir "$data_dir" --out runs/sp500 "${@:2}"
