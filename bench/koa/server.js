// The article's server.js, unchanged but for three lines (the third prints 'listening' once bound): the port comes from argv (default 4444), and
// koa-graphql 0.12 (the release for graphql@15) exports graphqlHTTP by name rather than as the module.
const Koa = require('koa');
const mount = require('koa-mount');
const graphqlHTTP = require('koa-graphql').graphqlHTTP || require('koa-graphql');

const app = new Koa();


var { buildSchema } = require('graphql');
var GraphQLSchema4People = buildSchema(`
    type Query {
        name: String
        age: Int
        sex: Boolean!
        hobby: [String]
    }
`);

var root = {
    name: () => {
        return 'Rootkit';
    },
    age: () => {
        return 99;
    },
    sex: () => {
        return true;
    },
    hobby: () => {
        return ['Coding', 'Badminton', 'Billiards', 'Reading', 'Guitar'];
    },
}


app.use(mount('/graphql', graphqlHTTP({
    schema: GraphQLSchema4People,
    rootValue: root,
    graphiql: true
})));

// Says when it is bound, so the benchmark waits on that instead of polling.
app.listen(Number(process.argv[2] || 4444), '127.0.0.1', () => console.log('listening'));
