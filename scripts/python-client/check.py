"""A second real client for check:clients: the official MCP Python SDK against the built server, one line of JSON per step.

Usage: python check.py --era legacy|modern (--url URL [--bearer TOKEN] | --stdio COMMAND ARGS...)
                       [--write accept|decline [--budget USD]]
Steps: connect (initialize, or server/discover in the 2026-07-28 era), tools/list, a read (ad_accounts_list),
prompts/list and prompts/get, resources/list and resources/read; with --write, one held spend write
(ad_groups_update) answered through the elicitation callback, accepting or declining. Each line is
{"step", "ok", "detail", ...}: the caller (scripts/check-clients.ts) checks the fake API's request log for the write.
"""

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from mcp import Client, StdioServerParameters, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

ACCOUNT = "549755885175"
AD_GROUP = "2680059592701"


def emit(step: str, ok: bool, detail: str, **extra: Any) -> None:
    print(json.dumps({"step": step, "ok": ok, "detail": detail, **extra}), flush=True)


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


async def run(args: argparse.Namespace) -> None:
    dialogs: list[dict[str, Any]] = []

    async def elicitation(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        # The person's answer, given by --write; the form asks for {"confirm": true} (src/server/dialog.ts).
        mode = getattr(params, "mode", None) or "form"
        dialogs.append({"mode": mode, "message": params.message[:200]})
        if args.write == "accept" and mode == "form":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action="decline")

    if args.url:
        headers = {"Authorization": f"Bearer {args.bearer}"} if args.bearer else None
        server: Any = streamable_http_client(args.url, http_client=create_mcp_http_client(headers=headers))
    else:
        # The SDK passes only a few safe variables by default: the server needs the caller's (fake API, token).
        server = StdioServerParameters(command=args.command[0], args=args.command[1:], env=dict(os.environ))

    async with Client(server, mode="legacy" if args.era == "legacy" else "auto", elicitation_callback=elicitation, cache=None) as client:
        # legacy: the initialize handshake; modern: the SDK's default probe (server/discover), which must land on 2026-07-28.
        version = client.protocol_version
        emit("connect", version == "2026-07-28" if args.era == "modern" else version < "2026", f"protocol {version}", protocol=version)

        tools = (await client.list_tools()).tools
        names = {t.name for t in tools}
        missing = [n for n in ("ad_accounts_list", "ad_groups_update") if n not in names]
        emit("tools/list", not missing, f"{len(tools)} tools" + (f"; missing {', '.join(missing)}" if missing else ""))

        read = await client.call_tool("ad_accounts_list", {})
        body = text_of(read)
        emit("tools/call ad_accounts_list (read)", not read.is_error and ACCOUNT in body, f"isError {read.is_error}; account {ACCOUNT} {'listed' if ACCOUNT in body else 'missing'}")

        prompts = [p.name for p in (await client.list_prompts()).prompts]
        emit("prompts/list", "performance_report" in prompts, ", ".join(prompts))
        got = await client.get_prompt("performance_report", {"ad_account_id": ACCOUNT, "start_date": "2026-01-01", "end_date": "2026-01-31"})
        said = "\n".join(m.content.text for m in got.messages if isinstance(m.content, types.TextContent))
        ok = f"ad account {ACCOUNT} from 2026-01-01 to 2026-01-31" in said and "{{" not in said
        emit("prompts/get performance_report", ok, "placeholders filled" if ok else said[:200])

        uris = [str(r.uri) for r in (await client.list_resources()).resources]
        emit("resources/list", "pinterest://ad-accounts" in uris, ", ".join(uris))
        contents = (await client.read_resource("pinterest://ad-accounts")).contents
        resource = "".join(getattr(c, "text", "") for c in contents)
        emit("resources/read pinterest://ad-accounts", ACCOUNT in resource, f"{len(resource)} characters; account {ACCOUNT} {'listed' if ACCOUNT in resource else 'missing'}")

        if args.write:
            arguments = {"ad_account_id": ACCOUNT, "body": [{"id": AD_GROUP, "budget": args.budget}]}
            result = await client.call_tool("ad_groups_update", arguments)
            structured = result.structured_content or {}
            said = text_of(result).replace("\n", " ")[:120]
            emit(f"ad_groups_update budget {args.budget} ({args.write} the dialog)", True,
                 f"status {structured.get('status')}; isError {result.is_error}; dialogs asked: {[d['mode'] for d in dialogs] or 'none'}; said: {said}",
                 status=structured.get("status"), dialogs=dialogs, is_error=bool(result.is_error))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--era", required=True, choices=["legacy", "modern"])
    parser.add_argument("--url")
    parser.add_argument("--bearer")
    parser.add_argument("--write", choices=["accept", "decline"])
    parser.add_argument("--budget", default="41", help="the ad group's new budget in USD (a change from the current one)")
    parser.add_argument("--stdio", dest="command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if bool(args.url) == bool(args.command):
        parser.error("give either --url or --stdio COMMAND")
    try:
        asyncio.run(run(args))
    except BaseException as error:  # noqa: BLE001 - every failure becomes a line for the caller's table
        while isinstance(error, BaseExceptionGroup) and error.exceptions:
            error = error.exceptions[0]
        emit("(client)", False, f"{type(error).__name__}: {error}"[:400])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
