"""A grpcio client of the Task service's server stream, from stubs generated from the shipped task.proto.

Run with task_pb2 / task_pb2_grpc on PYTHONPATH:
python3 watch_client.py HOST PORT COUNT [--from ID] [--to ID] [--last-event-id ID] [--token TOKEN]
Prints each task as it arrives ("task: ID NAME"), cancels the call after COUNT of them and prints how
the call ended; a refused subscription prints its status. Never prints a token.
"""
import argparse

import grpc
import task_pb2
import task_pb2_grpc


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('host')
    parser.add_argument('port')
    parser.add_argument('count', type=int)
    parser.add_argument('--from', dest='from_id', type=int)
    parser.add_argument('--to', dest='to_id', type=int)
    parser.add_argument('--last-event-id')
    parser.add_argument('--token')
    args = parser.parse_args()

    request = task_pb2.WatchTasksRequest()
    if args.from_id is not None:
        request.fromId = args.from_id
    if args.to_id is not None:
        request.toId = args.to_id
    metadata = []
    if args.last_event_id is not None:
        metadata.append(('last-event-id', args.last_event_id))
    if args.token is not None:
        metadata.append(('authorization', 'Bearer ' + args.token))

    with grpc.insecure_channel(args.host + ':' + args.port) as channel:
        tasks = task_pb2_grpc.TasksStub(channel)
        call = tasks.WatchTasks(request, metadata=metadata)
        seen = 0
        try:
            for task in call:
                print('task:', task.id, task.name, flush=True)
                seen += 1
                if seen == args.count:
                    # Ends the stream on the server; the Java side counts its streams back to zero.
                    call.cancel()
                    break
        except grpc.RpcError as e:
            print('error:', e.code().name, e.details(), flush=True)
            return
        print('ended:', call.code().name, flush=True)


if __name__ == '__main__':
    main()
