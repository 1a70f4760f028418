"""Run the emulator: python -m tests.emulator --state-dir DIR [--port N] [--token-lifetime SECONDS]."""
import argparse
import json
import os
import sys

from .pki import write_tls_material
from .server import serve


def main():
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--state-dir", required=True, help="where the CA and server certificate are written")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--token-lifetime", type=int, default=3600, help="access token lifetime in seconds")
    args = parser.parse_args()
    os.makedirs(args.state_dir, mode=0o700, exist_ok=True)
    tls = write_tls_material(args.state_dir)
    server, base_url = serve(tls, args.token_lifetime, args.port)
    # One line that the harness (and the demo) wait for: the event that says "listening".
    print("READY " + json.dumps({"url": base_url, "ca": tls["ca.pem"], "pid": os.getpid()}), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
