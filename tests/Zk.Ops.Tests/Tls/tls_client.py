# kazoo over TLS against a ZkActors secure client port: create a node, read it back, print what happened as JSON.
# argv: host:port ca.pem client-cert.pem client-key.pem path data timeout-seconds (empty cert/key: no client certificate)
import json
import sys

from kazoo.client import KazooClient

hosts, ca, certfile, keyfile, path, data, timeout = sys.argv[1:8]
zk = KazooClient(hosts=hosts, use_ssl=True, verify_certs=True, ca=ca, certfile=certfile or None, keyfile=keyfile or None,
                 timeout=float(timeout), connection_retry={"max_tries": 2})
zk.start(timeout=float(timeout))
try:
    zk.create(path, data.encode())
    value, stat = zk.get(path)
    print(json.dumps({"data": value.decode(), "version": stat.version, "session": hex(zk.client_id[0])}))
finally:
    zk.stop()
    zk.close()
