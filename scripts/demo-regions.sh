#!/bin/sh
# Rebuilds crates/shouwang-io/data/regions-510821.csv (the demo county shipped in the binary)
# from the NBS files in shared/data/regions.
set -eu
src=${1:-../shared/data/regions}
out=crates/shouwang-io/data/regions-510821.csv
{
  echo "code,name"
  zcat "$src/provinces.csv.gz" | awk -F, '$1=="51"{print $1","$2}'
  zcat "$src/cities.csv.gz" | awk -F, '$1=="5108"{print $1","$2}'
  zcat "$src/areas.csv.gz" | awk -F, '$1=="510821"{print $1","$2}'
  zcat "$src/streets.csv.gz" | awk -F, '$3=="510821"{print $1","$2}'
  zcat "$src/villages.csv.gz" | awk -F, '$6=="510821"{print $1","$2}'
} > "$out"
echo "wrote $out: $(($(wc -l < "$out") - 1)) regions"
