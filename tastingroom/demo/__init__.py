"""The demo winery and the large generated stores the benchmarks run on."""
