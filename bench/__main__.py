"""`make bench`: run every benchmark and print one summary table."""
from bench import bench_agent_proxy, bench_get_token, bench_guard, bench_prompt, bench_scan

BENCHMARKS = [("guard overhead", bench_guard.run),
              ("prompt segment", bench_prompt.run),
              ("tokens from the cache vs az account get-access-token", bench_get_token.run),
              ("scan throughput", bench_scan.run),
              ("agent proxy vs direct request", bench_agent_proxy.run)]


def main():
    rows = []
    for title, run in BENCHMARKS:
        print(f"running: {title} ...", flush=True)
        rows.extend((title, name, value) for name, value in run().items())
    width = max(len(f"{t}: {n}") for t, n, _ in rows)
    print("\nSummary (medians)")
    for title, name, value in rows:
        print(f"{title + ': ' + name:{width}}  {value:10.3f}")


if __name__ == "__main__":
    main()
