/** The baseline for the API benchmark: fastify's hello world, in its own process like the server under test. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
// The same POST body lwsim gets, parsed and answered trivially: how much of a POST is fastify's own cost.
app.post('/', async (request) => ({ name: (request.body as { name?: string }).name }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${address}\n`);
