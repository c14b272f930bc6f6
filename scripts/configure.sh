# Sourced by main.sh and test.sh: `configure DIR COMPILER [cmake args...]` configures DIR with
# Ninja and the given C++ compiler. A DIR left by another generator or compiler (CMake refuses
# to switch either in place) is removed first, with a message.
configure() {
  local dir=$1 cxx=$2
  shift 2
  local path cached
  if ! path=$(command -v "$cxx"); then
    echo "recur: no $cxx on PATH (scripts/setup.sh installs it)" >&2
    return 1
  fi
  if [ -f "$dir/CMakeCache.txt" ]; then
    cached=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$dir/CMakeCache.txt")
    if ! grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt" ||
       [ "$(readlink -f "$cached")" != "$(readlink -f "$path")" ]; then
      echo "recur: $dir was configured with another generator or compiler; starting it afresh" >&2
      rm -rf "$dir"
    fi
  fi
  cmake -G Ninja -S . -B "$dir" -DCMAKE_CXX_COMPILER="$path" "$@" >/dev/null
}
