# Sourced by main.sh and test.sh: `configure DIR COMPILER [cmake args...]` configures DIR with
# Ninja and the given C++ compiler. A DIR left by another generator or compiler (CMake refuses
# to switch either in place) is removed first, with a message.
configure() {
  local dir=$1 cxx=$2
  shift 2
  local path
  path=$(command -v "$cxx")
  if [ -f "$dir/CMakeCache.txt" ] &&
     ! { grep -qx 'CMAKE_GENERATOR:INTERNAL=Ninja' "$dir/CMakeCache.txt" &&
         grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$path" "$dir/CMakeCache.txt"; }; then
    echo "recur: $dir was configured with another generator or compiler; starting it afresh" >&2
    rm -rf "$dir"
  fi
  cmake -G Ninja -S . -B "$dir" -DCMAKE_CXX_COMPILER="$path" "$@" >/dev/null
}
