"""Watches saved tasks over gRPC server streaming (WatchTasks), with stubs generated from task.proto.

Usage: grpc_watch.py ADDRESS ID -- prints the first task saved with that id as JSON, then exits.
"""
import json
import sys

import grpc

import task_pb2
import task_pb2_grpc


def main():
    address, task_id = sys.argv[1], int(sys.argv[2])
    with grpc.insecure_channel(address) as channel:
        stub = task_pb2_grpc.TasksStub(channel)
        stream = stub.WatchTasks(task_pb2.WatchTasksRequest(fromId=task_id, toId=task_id), timeout=30)
        for task in stream:
            print(json.dumps({"id": task.id, "name": task.name}), flush=True)
            stream.cancel()
            return 0
    print("the stream ended without a task", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
