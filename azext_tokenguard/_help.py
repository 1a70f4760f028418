"""Help text (YAML) for every tokenguard command and its parameters."""
from knack.help_files import helps  # pylint: disable=unused-import

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

helps["tokenguard status"] = """
type: command
short-summary: Show the active cloud, tenant, subscription and identity, and where the token cache lives.
long-summary: >
    Reads az's own profile; nothing is sent anywhere. The output holds no secret. The token cache entry
    says whether the cache is encrypted (DPAPI on Windows, Keychain on macOS, libsecret on Linux) or plain
    text that anything running as you can read.
examples:
  - name: Show the active context as JSON.
    text: az tokenguard status
  - name: Show it as a table.
    text: az tokenguard status -o table
  - name: Show the context az would use for another subscription.
    text: az tokenguard status --subscription contoso-prod
  - name: Print only the subscription name, for a script.
    text: az tokenguard status --query subscription.name -o tsv
"""
