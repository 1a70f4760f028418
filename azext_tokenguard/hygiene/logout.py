"""`az tokenguard logout --all`: sign every identity out through az, remove what holds tokens, and prove it.

The plan and the removal are cleanup.py's (pure); az's own sign-out goes through az_profile. The order matters:
symlinks first (az writes its files through a link), then az's sign-out, then the files, then a new scan of
the cleaned directories, which fails the command if any token or secret is left.
"""
import dataclasses
import os
import time
from dataclasses import dataclass
from typing import Optional

from knack.log import get_logger

from azext_tokenguard import az_profile
from azext_tokenguard.hygiene import cleanup
from azext_tokenguard._format import printable
from azext_tokenguard.guard.errors import CancelledError, FileAccessError, FindingsError, MissingArgumentError
from azext_tokenguard.results import optional

logger = get_logger(__name__)


@dataclass(frozen=True)
class Verified:
    clean: bool
    remaining: list  # [{path, what}]


@dataclass(frozen=True)
class LogoutReport:  # pylint: disable=too-many-instance-attributes
    """What logout did (or, with --dry-run, would do). The plan's entries are {path, kind, reason} dicts."""
    dry_run: bool
    signed_out: list
    kept: list
    cannot_clean_here: list  # [{what, why, how}]
    would_remove: Optional[list] = optional()
    would_rewrite: Optional[list] = optional()
    removed: Optional[list] = optional()
    rewritten: Optional[list] = optional()
    failed: Optional[list] = optional()
    verified: Optional[Verified] = optional()


def logout_all(cli_ctx, config_dir, *, dry_run=False, include_other_tools=False, yes=False):
    plan = cleanup.plan_logout_all(config_dir, include_other_tools, os.path.expanduser("~"))
    if dry_run:
        return _reported(LogoutReport(True, [], plan["keep"], plan["cannot_clean"], would_remove=plan["remove"],
                                      would_rewrite=plan["rewrite"]))
    _announce_other_tools(plan)
    _confirm(plan, yes)
    present = [item for item in plan["remove"] if os.path.lexists(item["path"])]
    detached = _detach_links(plan)  # before az signs out: az writes its files through a link
    signed_out = az_profile.sign_out_everyone(cli_ctx)
    try:
        outcome = cleanup.execute_plan(plan)
    except cleanup.CleanupError as error:
        raise FileAccessError(str(error), recommendation="Wait for running az commands to finish, then run "
                                                         "'az tokenguard logout --all' again.") from None
    removed = [i for i in present if i["path"] in detached or not os.path.lexists(i["path"])]
    report = _reported(LogoutReport(False, signed_out, plan["keep"], plan["cannot_clean"], removed=removed,
                                    rewritten=outcome["rewritten"], failed=outcome["failed"] or None))
    return dataclasses.replace(report, verified=_verify_nothing_left(plan["roots"], outcome["failed"]))


def _detach_links(plan):
    try:
        return cleanup.detach_links(plan)
    except cleanup.CleanupError as error:
        raise FileAccessError(str(error), recommendation="Remove the link yourself ('rm' removes only the link), "
                                                         "then run 'az tokenguard logout --all' again.") from None


def _announce_other_tools(plan):
    """Other tools' caches are named one by one before anything is removed: they are not az's files."""
    config_dir = os.path.abspath(plan["config_dir"]) + os.sep
    for item in plan["remove"]:
        if not os.path.abspath(item["path"]).startswith(config_dir):
            logger.warning("Will remove %s (%s).", printable(item["path"]), printable(item["reason"]))


def _confirm(plan, yes):
    from knack.prompting import NoTTYException, prompt_y_n
    if yes:
        return
    question = (f"Sign out every account az knows and remove {len(plan['remove'])} file(s) that hold tokens or "
                "secrets (see --dry-run)?")
    try:
        confirmed = prompt_y_n(question, default="n")
    except NoTTYException:
        raise MissingArgumentError("No terminal to confirm on.",
                                   recommendation="Run with --yes to confirm, or --dry-run to see the plan.") from None
    if not confirmed:
        raise CancelledError("Nothing was removed.")


def _reported(report):
    """Say what was kept and what no file removal cleans; the JSON has the details."""
    kept_names = ", ".join(sorted({os.path.basename(k["path"]) for k in report.kept})) or "nothing"
    logger.warning("Kept what holds no secret: %s.", printable(kept_names))
    logger.warning("Not cleanable from here: %s. See cannotCleanHere in the JSON output for how.",
                   printable("; ".join(item["what"] for item in report.cannot_clean_here)))
    return report


def _verify_nothing_left(roots, failed):
    """Scan the cleaned directories again: no access, refresh or id token and no client secret may remain."""
    from azext_tokenguard.hygiene.scan import scan_paths
    remaining = [f for f in scan_paths(roots, time.time(), {})["findings"] if f["hasSecret"]]
    if remaining or failed:
        what = "; ".join(f"{f['path']}: {f['message']}" for f in remaining) or \
            "; ".join(f"{f['path']}: {f['error']}" for f in failed)
        raise FindingsError(f"Token material is still on disk after logout: {printable(what)}",
                            recommendation="Remove those files by hand, then run 'az tokenguard scan'.")
    return Verified(clean=True, remaining=[])
