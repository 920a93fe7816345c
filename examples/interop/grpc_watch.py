"""Watches saved tasks over gRPC server streaming (WatchTasks), with stubs generated from task.proto.

Usage: grpc_watch.py ADDRESS FROM_ID TO_ID COUNT -- prints the first COUNT tasks saved with ids in
[FROM_ID, TO_ID] as a JSON list, then exits.
"""
import json
import sys

import grpc

import task_pb2
import task_pb2_grpc


def main():
    address, from_id, to_id, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    seen = []
    with grpc.insecure_channel(address) as channel:
        stub = task_pb2_grpc.TasksStub(channel)
        stream = stub.WatchTasks(task_pb2.WatchTasksRequest(fromId=from_id, toId=to_id), timeout=30)
        for task in stream:
            seen.append({"id": task.id, "name": task.name})
            if len(seen) == count:
                print(json.dumps(seen), flush=True)
                stream.cancel()
                return 0
    print("the stream ended without a task", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
