"""The prompt segment's cost per prompt, in one bash process, with and without a profile change between
prompts (the first must stay under 5 ms: it forks nothing). Both forms are timed: the precmd hook that
keeps ${__tokenguard_ps1} current, and $(__tokenguard_prompt) in PS1 (a subshell per prompt, as bash runs it)."""
import re
import subprocess

from bench.common import logged_in_az

UNCHANGED_PROMPTS = 500
CHANGED_PROMPTS = 20

TIMING_SCRIPT = r'''
eval "$1"
__tokenguard_prompt_update   # first prompt computes the segment
start=$EPOCHREALTIME
for ((i = 0; i < {unchanged}; i++)); do __tokenguard_prompt_update; done
end=$EPOCHREALTIME
echo "unchanged_us=$(( (${{end/./}} - ${{start/./}}) / {unchanged} ))"
start=$EPOCHREALTIME
for ((i = 0; i < {unchanged}; i++)); do segment=$(__tokenguard_prompt); done
end=$EPOCHREALTIME
echo "function_us=$(( (${{end/./}} - ${{start/./}}) / {unchanged} ))"
total=0
for ((i = 0; i < {changed}; i++)); do
    touch "${{AZURE_CONFIG_DIR}}/azureProfile.json"
    start=$EPOCHREALTIME; __tokenguard_prompt_update; end=$EPOCHREALTIME
    total=$(( total + ${{end/./}} - ${{start/./}} ))
done
echo "changed_us=$(( total / {changed} ))"
echo "segment=<$__tokenguard_ps1>"
'''


def run():
    with logged_in_az("user") as az:
        init = az.run("tokenguard", "shell-init", "--shell", "bash").stdout
        script = TIMING_SCRIPT.format(unchanged=UNCHANGED_PROMPTS, changed=CHANGED_PROMPTS)
        out = subprocess.run(["bash", "-c", script, "bench", init], env={**az.env, "NO_COLOR": "1"},
                             capture_output=True, text=True, check=True, cwd=az.env["HOME"]).stdout
    if "segment=<[" not in out:
        raise RuntimeError("the prompt segment was not computed: " + out[-200:])  # a timing of nothing
    values = dict(re.findall(r"(\w+)_us=(\d+)", out))
    return {"prompt, nothing changed (ms)": int(values["unchanged"]) / 1000,
            "$(__tokenguard_prompt), nothing changed (ms)": int(values["function"]) / 1000,
            "prompt after a profile change (ms)": int(values["changed"]) / 1000}


def main():
    for name, value in run().items():
        print(f"{name:44} {value:8.3f}")


if __name__ == "__main__":
    main()
