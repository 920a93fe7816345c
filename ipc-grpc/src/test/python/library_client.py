"""A grpcio client of the Library service, from stubs generated from the exported library.proto.

Run with the generated library_pb2 / library_pb2_grpc on PYTHONPATH: python3 library_client.py HOST PORT
"""
import sys

import grpc
import library_pb2 as pb
import library_pb2_grpc as rpc


def dune():
    book = pb.Book(id=1, title='Dune', genre=pb.SCIENCE, tags=['classic', 'desert'],
                   props={'lang': 'en', 'empty': ''}, isbn='', cover=b'\x00\x01\xff')
    book.published.FromJsonString('1965-08-01T12:30:45.500Z')
    return book


def main(address):
    with grpc.insecure_channel(address) as channel:
        lib = rpc.LibraryStub(channel)
        added = lib.Add(dune())
        print('add:', added.id, added.title, pb.Genre.Name(added.genre))
        got = lib.Get(pb.GetRequest(id=1))
        print('get equal:', got == dune())
        print('get:', got.title, pb.Genre.Name(got.genre), ','.join(got.tags), sorted(got.props.items()),
              got.published.ToJsonString(), 'isbn set:', got.HasField('isbn'), 'cover:', got.cover.hex())
        lib.Add(pb.Book(id=2, title='Leaves of Grass', genre=pb.POETRY))
        poetry = lib.Search(pb.SearchRequest(text='', genre=pb.POETRY, limit=10))
        print('search poetry:', ','.join(b.title for b in poetry.items))
        print('search science dune:', [b.id for b in lib.Search(pb.SearchRequest(text='DUNE', genre=pb.SCIENCE, limit=10)).items])
        print('search novel:', len(lib.Search(pb.SearchRequest(text='', genre=pb.NOVEL, limit=10)).items))

        cosmos = pb.Book(id=3, title='Cosmos', genre=pb.SCIENCE)
        put, call = lib.Put.with_call(pb.PutRequest(id=3, book=cosmos))
        print('put 3:', put.title, 'created =', dict(call.trailing_metadata()).get('ipc-created'))
        _, call = lib.Put.with_call(pb.PutRequest(id=3, book=cosmos))
        print('put 3 again: created =', dict(call.trailing_metadata()).get('ipc-created'))

        edition = pb.Edition(inPrint=True, pages=412, rating=4.5, weight=0.75, printing=0, price='12.50',
                             shelf=pb.POETRY, book=dune(), related=[dune(), cosmos],
                             translations={'fr': cosmos, 'de': dune()}, counts={'zero': 0, 'sold': 7},
                             genres=[pb.SCIENCE, pb.NOVEL], ids=[-1, 0, 2 ** 62])
        edition.readingTime.FromJsonString('-1.500s')
        edition.retired.FromJsonString('1970-01-01T00:00:00Z')
        echoed = lib.Echo(edition)
        print('echo equal:', echoed == edition)
        print('echo printing:', echoed.HasField('printing'), echoed.printing,
              'copies:', echoed.HasField('copies'), 'signed:', echoed.HasField('signed'))
        print('echo readingTime:', echoed.readingTime.ToJsonString(),
              'retired:', echoed.HasField('retired'), echoed.retired.ToJsonString())
        print('echo price:', echoed.price, 'counts:', sorted(echoed.counts.items()),
              'fr:', echoed.translations['fr'].title, 'weight:', echoed.weight)
        bare = lib.Echo(pb.Edition())
        print('echo bare:', bare == pb.Edition(), 'printing set:', bare.HasField('printing'))

        removed = lib.Remove(pb.RemoveRequest(id=2))
        print('remove 2:', type(removed).__name__, removed.ByteSize())
        try:
            lib.Get(pb.GetRequest(id=2))
        except grpc.RpcError as e:
            print('get 2:', e.code().name, e.details())
        try:
            lib.Add(pb.Book(id=9, title='  '))
        except grpc.RpcError as e:
            print('blank title:', e.code().name, e.details())


if __name__ == '__main__':
    main(f'{sys.argv[1]}:{sys.argv[2]}')
