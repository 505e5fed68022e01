"""Runs AWS CLI v2 commands, one after another, in this one Python process (test/sandbox/clients/aws-cli.ts).

Each command runs the CLI's own entry point, `awscli.clidriver.AWSCLIEntryPoint().main(argv)`, what
the `aws` script calls, with the command's own environment, argv, stdin, stdout and stderr. Only the
start is shared: importing awscli and botocore is most of the 0.6-0.8 s of CPU a fresh `aws` process
costs. Requests are JSON lines on stdin ({"argv": [...], "env": {...}}); each answer is one JSON line
({"code", "stdout", "stderr"}) on file descriptor 3, so nothing the CLI prints can break the protocol.
"""
import io
import json
import os
import sys

before_import = dict(os.environ)
import awscli.clidriver  # noqa: E402  (the import must see the process's own environment)

# What importing awscli set in its process (AWS_DATA_PATH, where the CLI's data lives): a fresh
# `aws` process has it for every command, so every command here gets it back.
SET_BY_IMPORT = {k: v for k, v in os.environ.items() if before_import.get(k) != v}
ANSWERS = os.fdopen(3, "w", encoding="utf-8")


def stream():
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", newline="\n")


def text(wrapper):
    wrapper.flush()
    return wrapper.buffer.getvalue().decode("utf-8", errors="replace")


def run(argv, env, program):
    os.environ.clear()
    os.environ.update(env)
    os.environ.update(SET_BY_IMPORT)
    sys.argv = [program, *argv]
    out, err = stream(), stream()
    sys.stdin, sys.stdout, sys.stderr = io.TextIOWrapper(io.BytesIO()), out, err
    try:
        code = awscli.clidriver.AWSCLIEntryPoint().main(argv)
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
    return {"code": code or 0, "stdout": text(out), "stderr": text(err)}


for line in sys.stdin:
    request = json.loads(line)
    answer = run(request["argv"], request["env"], request["program"])
    ANSWERS.write(json.dumps(answer) + "\n")
    ANSWERS.flush()
