"""get-token for a cached token versus `az account get-access-token` for the same resource.

The two commands alternate in one run, so both see the same machine load; medians and their ratio are
printed. tokenguard should not be slower than az's own command.
"""
from bench.common import logged_in_az, median_ms, timed

ROUNDS = 15


def run(rounds=ROUNDS):
    with logged_in_az() as az:
        az.run("account", "get-access-token")  # warm MSAL's cache and az's command index
        ours, theirs = [], []
        for _ in range(rounds):
            ours.append(timed(lambda: az.run("tokenguard", "get-token", "--resource", "arm")))
            theirs.append(timed(lambda: az.run("account", "get-access-token", "--resource",
                                               "https://management.core.windows.net/")))
    result = {"tokenguard get-token (ms)": median_ms(ours), "az account get-access-token (ms)": median_ms(theirs)}
    result["ratio"] = result["tokenguard get-token (ms)"] / result["az account get-access-token (ms)"]
    return result


def main():
    result = run()
    for name, value in result.items():
        print(f"{name:36} {value:8.2f}")


if __name__ == "__main__":
    main()
