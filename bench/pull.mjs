// Scenario 3 and 4 helper: follows a FHIR search's `next` links sequentially, as a notebook
// client does, over one keep-alive HTTPS connection.
//   node bench/pull.mjs pull <origin> <path> <token> [repeats]
//       -> {"pages","entries","bytes","seconds":[...],"median_s","errors"}
//   node bench/pull.mjs page <origin> <path> <token> <n>
//       -> prints the path (and query) of page n of the chain (following next links)
// Exit status 2 when the first request does not answer 200 (endpoint missing or failing).
import https from 'node:https';

const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });

function get(origin, path, token) {
	return new Promise((resolve, reject) => {
		const req = https.request(origin + path, {
			agent, method: 'GET',
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+json' },
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end();
	});
}

function nextLink(bundle, origin) {
	const l = (bundle.link || []).find((x) => x.relation === 'next');
	if (!l) return null;
	const u = new URL(l.url);
	return u.pathname + u.search;
}

// The timed pulls do what psql does with COPY output: take the bytes, without building objects.
// The server writes the Bundle's `link` array before `entry` (fhir.md §5), so the next link is
// read from the head of the body, and entries are counted by their "fullUrl" keys. An untimed
// first pull parses every page with JSON.parse and checks that both ways agree.
const LINK_RE = /\{"relation":"next","url":"([^"]+)"\}/;
const FULL = Buffer.from('"fullUrl":');

function scanPage(body) {
	const entryAt = body.indexOf('"entry":');
	const head = body.subarray(0, entryAt < 0 ? body.length : entryAt).toString();
	const m = LINK_RE.exec(head);
	let n = 0;
	for (let i = body.indexOf(FULL, Math.max(entryAt, 0)); i >= 0; i = body.indexOf(FULL, i + FULL.length)) n++;
	let next = null;
	if (m) {
		const u = new URL(JSON.parse(`"${m[1]}"`));
		next = u.pathname + u.search;
	}
	return { n, next };
}

async function pullOnce(origin, path, token, verify) {
	let pages = 0, entries = 0, bytes = 0;
	const t0 = process.hrtime.bigint();
	let p = path;
	while (p) {
		const r = await get(origin, p, token);
		if (r.status !== 200) return { status: r.status, body: r.body.toString().slice(0, 300), pages };
		bytes += r.body.length;
		const s = scanPage(r.body);
		if (verify) {
			const b = JSON.parse(r.body);
			const n = (b.entry || []).length, next = nextLink(b, origin);
			if (n !== s.n || next !== s.next)
				return { status: 0, body: `page ${pages + 1}: scan found ${s.n} entries and next ${s.next}, JSON.parse ${n} and ${next}`, pages };
		}
		pages++;
		entries += s.n;
		p = s.next;
	}
	const s = Number(process.hrtime.bigint() - t0) / 1e9;
	return { status: 200, pages, entries, bytes, s };
}

const [mode, origin, path, token, arg] = process.argv.slice(2);
if (mode === 'pull') {
	const repeats = Number(arg || 3);
	const seconds = [];
	let last;
	for (let i = -1; i < repeats; i++) {
		last = await pullOnce(origin, path, token, i < 0);
		if (last.status !== 200) {
			console.log(JSON.stringify({ error: `HTTP ${last.status} after ${last.pages} pages`, body: last.body }));
			process.exit(2);
		}
		if (i >= 0) seconds.push(last.s);
	}
	const sorted = [...seconds].sort((a, b) => a - b);
	console.log(JSON.stringify({
		pages: last.pages, entries: last.entries, bytes: last.bytes, seconds,
		median_s: sorted[Math.floor(sorted.length / 2)],
	}));
} else if (mode === 'page') {
	const n = Number(arg);
	let p = path;
	for (let i = 1; i < n; i++) {
		const r = await get(origin, p, token);
		if (r.status !== 200) {
			console.error(`HTTP ${r.status} on page ${i}`);
			process.exit(2);
		}
		p = nextLink(JSON.parse(r.body), origin);
		if (!p) {
			console.error(`the chain ends at page ${i}`);
			process.exit(2);
		}
	}
	console.log(p);
} else {
	console.error('usage: pull.mjs pull|page <origin> <path> <token> [n]');
	process.exit(1);
}
agent.destroy();
