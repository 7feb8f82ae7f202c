#!/usr/bin/env bash
# Workload identity federation for azure-identity (and the azblob state backend):
# write a fresh GitHub OIDC token, for audience api://AzureADTokenExchange, to
# $AZURE_FEDERATED_TOKEN_FILE. With AZURE_CLIENT_ID and AZURE_TENANT_ID set, the
# DefaultAzureCredential chain (Python and Go) then signs in as that app registration:
# no client secret exists anywhere.
#
# The job needs `permissions: id-token: write`. GitHub's tokens are short-lived, so call
# this again right before each pulumi command. Prints nothing secret. When it runs as
# its own step it also exports AZURE_FEDERATED_TOKEN_FILE to the following steps.
set -euo pipefail
if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
  echo "::error::no OIDC token available: the job needs 'permissions: id-token: write' (and pull requests from forks get none)" >&2
  exit 1
fi
: "${AZURE_CLIENT_ID:?set the variable AZURE_CLIENT_ID (client id of the app registration, see docs/ci.md)}"
: "${AZURE_TENANT_ID:?set the variable AZURE_TENANT_ID (see docs/ci.md)}"
file=${AZURE_FEDERATED_TOKEN_FILE:-${RUNNER_TEMP:?}/azure-federated-token}
audience=${AZURE_FEDERATED_AUDIENCE:-api://AzureADTokenExchange}
umask 077
curl -sSf --retry 3 -H "Authorization: bearer ${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" \
  "${ACTIONS_ID_TOKEN_REQUEST_URL}&audience=${audience}" \
  | python3 -c 'import json, sys; sys.stdout.write(json.load(sys.stdin)["value"])' > "${file}.new"
mv "${file}.new" "$file"
if [ -n "${GITHUB_ENV:-}" ] && [ -z "${AZURE_FEDERATED_TOKEN_FILE:-}" ]; then
  echo "AZURE_FEDERATED_TOKEN_FILE=$file" >> "$GITHUB_ENV"
fi
