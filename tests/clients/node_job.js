// A job that takes its tokens from a managed identity endpoint with @azure/identity, used unchanged.
//
// The `az tokenguard exec` end-to-end tests run it as exec's child, with NODE_PATH at .venv-clients/node/node_modules:
//
//     node node_job.js CREDENTIAL loop SECONDS    call ARM about once a second for SECONDS
//     node node_job.js CREDENTIAL once [RESOURCE] ask for one token (ARM's by default) and say whose it is
//
// CREDENTIAL is managed (ManagedIdentityCredential) or default (DefaultAzureCredential); NODE_PATH picks the
// @azure/identity version. It prints one JSON line with what the tests assert on, never a token.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const https = require("https");
const identity = require("@azure/identity");

const ARM = "https://management.azure.com";
const ARM_SCOPE = `${ARM}/.default`;
const PAUSE_MS = 1000; // the job's own pace between ARM calls

function armStatus(token) {
  const url = `${process.env.TG_TEST_ARM_URL}/subscriptions?api-version=2022-12-01`;
  const options = { ca: fs.readFileSync(process.env.REQUESTS_CA_BUNDLE), headers: { Authorization: `Bearer ${token}` } };
  return new Promise((resolve, reject) => {
    https.get(url, options, (response) => { response.resume(); resolve(response.statusCode); }).on("error", reject);
  });
}

function claims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

async function loop(credential, seconds) {
  const started = Date.now();
  const calls = [];
  const tokens = new Set();
  while (Date.now() - started < seconds * 1000) {
    try {
      const { token } = await credential.getToken(ARM_SCOPE);
      tokens.add(crypto.createHash("sha256").update(token).digest("hex"));
      calls.push(await armStatus(token));
    } catch (error) {
      calls.push(`${error.name}: ${error.message}`.slice(0, 500));
    }
    await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  }
  return { calls, tokens: tokens.size, seconds: (Date.now() - started) / 1000 };
}

async function once(credential, resource) {
  try {
    const { token } = await credential.getToken(`${resource || ARM}/.default`);
    return { ok: true, appid: claims(token).appid, arm: await armStatus(token) };
  } catch (error) {
    return { ok: false, error: error.name, message: error.message };
  }
}

async function main([kind, mode, secondsOrResource]) {
  const credential = kind === "managed" ? new identity.ManagedIdentityCredential() : new identity.DefaultAzureCredential();
  const report = mode === "loop" ? await loop(credential, Number(secondsOrResource)) : await once(credential, secondsOrResource);
  const { version } = require("@azure/identity/package.json");
  console.log(JSON.stringify({ ...report, client: `@azure/identity ${kind}`, version }));
}

main(process.argv.slice(2)).catch((error) => { console.error(error); process.exit(1); });
