"""An S3-compatible server on loopback (moto's server mode) holding a bucket, for logdirs on object storage.

TensorBoard's file layer reads and writes s3:// through boto3, at the endpoint
that `S3_ENDPOINT` names; it reads that variable once, when the file layer is
imported. So whatever is to reach this server (a training script, a
`tensorboard`) runs as a subprocess with `S3.env` in its environment.
"""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Dict, Iterator, NamedTuple

from support.server import free_port, stop

BUCKET = "spectro"
_REGION = "us-east-1"
_START_TIMEOUT = 60.0  # seconds for moto's server to accept connections
# Variables that would send boto3 elsewhere or to other credentials.
CLEARED = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_CA_BUNDLE")


class S3(NamedTuple):
    endpoint: str  # http://127.0.0.1:<port>
    bucket: str
    env: Dict[str, str]  # set these and unset CLEARED for boto3 and TensorBoard's S3 layer to use this server

    def url(self, *parts: str) -> str:
        """s3://<bucket>/<parts joined by />."""
        return "/".join([f"s3://{self.bucket}", *parts])


def environment(endpoint: str) -> Dict[str, str]:
    return {
        "S3_ENDPOINT": endpoint,  # TensorBoard's S3 layer passes it to boto3 as endpoint_url
        "AWS_ACCESS_KEY_ID": "spectro-test",  # moto takes any credentials
        "AWS_SECRET_ACCESS_KEY": "spectro-test",
        "AWS_REGION": _REGION,
        "AWS_DEFAULT_REGION": _REGION,
        # Never the user's profiles, and never a cloud's metadata address.
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1",
        "no_proxy": "127.0.0.1",
    }


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1.0)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def moto_server(bucket: str = BUCKET) -> Iterator[S3]:
    """moto's S3 server on a free loopback port, as a subprocess, with `bucket` created."""
    import boto3

    port = free_port()
    log = tempfile.TemporaryFile()  # it logs every request: a pipe nobody reads would fill and stop it
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not _accepts(port):
            if process.poll() is not None:
                log.seek(0)
                raise AssertionError(f"moto's server exited with {process.returncode}: {log.read()[-2000:]!r}")
            if time.monotonic() > deadline:
                raise AssertionError(f"moto's server did not accept connections on {endpoint}")
            time.sleep(0.1)
        env = environment(endpoint)
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name=_REGION,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        client.create_bucket(Bucket=bucket)
        yield S3(endpoint, bucket, env)
    finally:
        stop(process)
        log.close()
