"""Puts one task over gRPC (task.proto stubs): grpc_put.py ADDRESS ID NAME"""
import sys

import grpc
import task_pb2
import task_pb2_grpc

address, task_id, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with grpc.insecure_channel(address) as channel:
    put = task_pb2_grpc.TasksStub(channel).PutTask(task_pb2.Task(id=task_id, name=name), timeout=10)
print(put.id, put.name)
