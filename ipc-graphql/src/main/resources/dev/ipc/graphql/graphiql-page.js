// Starts GraphiQL on the page: a file of its own, not an inline script, so the page's
// Content-Security-Policy can forbid inline scripts. Everything comes from this server's jar: no network
// beyond it is needed.
(function () {
  var params = new URLSearchParams(window.location.search);
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      // Subscriptions go over a WebSocket to this same server (graphql-transport-ws); the graphql-ws
      // client is bundled in graphiql.min.js, and GraphiQL sends its headers editor's values (such as
      // Authorization) as the connection_init payload.
      fetcher: GraphiQL.createFetcher({
        url: '/graphql',
        subscriptionUrl: (window.location.protocol === 'https:' ? 'wss://' : 'ws://') + window.location.host + '/graphql',
      }),
      defaultQuery: '{\n  name\n  hobby\n}\n',
      query: params.get('query') || undefined,
      variables: params.get('variables') || undefined,
      operationName: params.get('operationName') || undefined,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
