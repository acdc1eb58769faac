// micro.cc — Google Benchmark driver for the mbshake micro suite. Rows are
// "primitive/impl/lanes" (lanes = operations per call, i.e. the batch size); the C wrapper
// (micro_ops.c) lists, prepares and runs them. items_per_second counts operations, not calls
// (from CPU time). The "cycles_per_op" counter is TSC cycles per operation over the timed loop:
// wall-clock based, so it also counts time the thread was preempted; trust it on an idle core.
//
//   build/mbshake-micro --benchmark_filter='x25519_derive/.*' --benchmark_format=json
//
// The host may change speed for tens of seconds at a time (docs: platform facts): compare rows
// measured in one run, preferably with --benchmark_enable_random_interleaving=true and
// --benchmark_repetitions=N, rather than runs made minutes apart.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "micro_ops.h"

namespace {

void run_row(benchmark::State &state, micro_row row)
{
    char err[256] = "";
    void *st = micro_setup(&row, err, sizeof err);
    if (st == nullptr) {
        state.SkipWithError(err);
        for (auto _ : state) {
        }
        return;
    }
    bool failed = false;
    unsigned long long t0 = micro_tsc();
    for (auto _ : state) {
        if (micro_run(st) != 0) {
            failed = true;
            break;
        }
    }
    unsigned long long cycles = micro_tsc() - t0;
    micro_free(st);
    if (failed) {
        state.SkipWithError("an operation failed inside the timed loop");
        return;
    }
    const int64_t ops = static_cast<int64_t>(state.iterations()) * row.n;
    state.SetItemsProcessed(ops);
    state.counters["lanes"] = row.n;
    state.counters["cycles_per_op"] = ops ? static_cast<double>(cycles) / static_cast<double>(ops) : 0.0;
}

} // namespace

int main(int argc, char **argv)
{
    std::vector<micro_row> rows(micro_rows(nullptr, 0));
    rows.resize(micro_rows(rows.data(), rows.size()));
    for (const micro_row &r : rows)
        benchmark::RegisterBenchmark(r.name, run_row, r);

    char feats[512];
    benchmark::AddCustomContext("mbshake_cpu_features", micro_cpu_features(feats, sizeof feats));
    benchmark::AddCustomContext("mbshake_ipsecmb_arch", micro_ipsecmb_arch());

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
