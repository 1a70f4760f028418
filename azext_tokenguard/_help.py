"""Help text (YAML) for every tokenguard command and its parameters: the group here, each command in the
_help.py of the folder that does its work (az reads them all from knack's one helps table)."""
from knack.help_files import helps

# Each import fills knack's helps table with its folder's commands.
from azext_tokenguard.agent import _help as _agent_help  # noqa: F401  pylint: disable=unused-import
from azext_tokenguard.exec import _help as _exec_help  # noqa: F401  pylint: disable=unused-import
from azext_tokenguard.guardcmd import _help as _guardcmd_help  # noqa: F401  pylint: disable=unused-import
from azext_tokenguard.hygiene import _help as _hygiene_help  # noqa: F401  pylint: disable=unused-import
from azext_tokenguard.tokens import _help as _tokens_help  # noqa: F401  pylint: disable=unused-import
from azext_tokenguard.vault import _help as _vault_help  # noqa: F401  pylint: disable=unused-import

helps["tokenguard"] = """
type: group
short-summary: Guard the tokens the Azure CLI keeps and the places az commands land.
long-summary: >
    tokenguard shows the active tenant and subscription before az commands, asks before destructive
    ones, hands scripts scoped tokens with a guaranteed remaining lifetime, shows what is inside a
    token, and finds and wipes token caches.
examples:
  - name: See where az commands will land and where az keeps its tokens.
    text: az tokenguard status
"""
