"""A grpcio client of the Task service against a server that authenticates bearer tokens.

Run with stubs generated from the shipped .proto files on PYTHONPATH:
python3 secure_client.py HOST PORT READER_TOKEN WRITER_TOKEN [CA_PEM]
With CA_PEM it speaks TLS trusting that CA (grpc.ssl_channel_credentials); else plaintext.
Prints one line per case; never prints a token.
"""
import sys

import grpc
import task_pb2
import task_pb2_grpc


def bearer(token):
    return (('authorization', 'Bearer ' + token),)


def outcome(call):
    """Returns 'OK <result>' or the status code name and details of a failed call."""
    try:
        return 'OK ' + call()
    except grpc.RpcError as e:
        return e.code().name + ' ' + e.details()


def main(address, reader, writer, ca):
    if ca:
        with open(ca, 'rb') as f:
            channel = grpc.secure_channel(address, grpc.ssl_channel_credentials(root_certificates=f.read()))
    else:
        channel = grpc.insecure_channel(address)
    with channel:
        tasks = task_pb2_grpc.TasksStub(channel)
        hacked = task_pb2.Task(id=2, name='hacked')
        print('no token put:', outcome(lambda: tasks.PutTask(hacked).name))
        print('bad token put:', outcome(lambda: tasks.PutTask(hacked, metadata=bearer('not-a-token')).name))
        print('bad token get:', outcome(lambda: tasks.GetTask(task_pb2.GetTaskRequest(id=2), metadata=bearer('not-a-token')).name))
        print('reader put:', outcome(lambda: tasks.PutTask(hacked, metadata=bearer(reader)).name))
        print('anonymous get 2:', outcome(lambda: tasks.GetTask(task_pb2.GetTaskRequest(id=2)).name))
        print('reader get 2:', outcome(lambda: tasks.GetTask(task_pb2.GetTaskRequest(id=2), metadata=bearer(reader)).name))
        print('anonymous list:', outcome(lambda: str(len(tasks.ListTasks(task_pb2.ListTasksRequest()).tasks))))
        saved, call = tasks.PutTask.with_call(task_pb2.Task(id=9, name='written'), metadata=bearer(writer))
        print('writer put 9:', saved.name, 'created =', dict(call.trailing_metadata()).get('ipc-created'),
              'x-served-by =', dict(call.initial_metadata()).get('x-served-by'))
        try:
            tasks.GetTask(task_pb2.GetTaskRequest(id=42))
        except grpc.RpcError as e:
            # A failed call is trailers-only: what the interceptors added comes with the status.
            print('get 42:', e.code().name, 'x-served-by =', dict(e.trailing_metadata()).get('x-served-by'))
        print('writer get 9:', outcome(lambda: tasks.GetTask(task_pb2.GetTaskRequest(id=9)).name))


if __name__ == '__main__':
    main(f'{sys.argv[1]}:{sys.argv[2]}', sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
