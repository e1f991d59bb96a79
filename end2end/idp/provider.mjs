// The organization's OpenID provider in the end-to-end tests: panva's oidc-provider (an
// OpenID Certified implementation) on loopback, with three people: two Latch knows (Megan, the
// administrator, and Adele) and one it does not (Sam). Its pages are plain HTML with no outside
// assets: the library's development pages load web fonts from the internet.
import http from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.IDP_PORT ?? 7272);
const issuer = `http://127.0.0.1:${port}`;
// The Latch instances that sign people in here (playwright.config.ts).
const latches = (process.env.IDP_LATCH_URLS ?? "http://127.0.0.1:3212,http://127.0.0.1:3213").split(",");

const people = {
  megan: { email: "admin@contoso.test", name: "Megan Bowen" },
  adele: { email: "adele@contoso.test", name: "Adele Vance" },
  sam: { email: "sam@fabrikam.test", name: "Sam Stranger" },
};

const page = (title, body) => `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${title}</title></head>
<body><main><h1>${title}</h1>${body}</main></body></html>`;
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "latch-e2e",
      client_secret: "latch-e2e-secret",
      redirect_uris: latches.map((u) => `${u}/auth/oidc/callback`),
      post_logout_redirect_uris: latches.map((u) => `${u}/sign-in`),
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
  // The scope's claims go into the ID token, as Entra ID and Okta put them there.
  conformIdTokenClaims: false,
  cookies: { keys: ["end-to-end-tests-only"] },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page("Sign out of the test provider?", `${form}<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page("Signed out", "<p>You are signed out of the test provider.</p>");
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // A first-party application: no consent screen.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
  findAccount: async (ctx, id) => {
    const person = people[id];
    if (!person) return undefined;
    return {
      accountId: id,
      claims: async () => ({ sub: id, email: person.email, email_verified: true, name: person.name, preferred_username: person.email }),
    };
  },
  renderError: async (ctx, out) => {
    ctx.type = "html";
    ctx.body = page("Sign-in error", `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
});

const loginForm = (uid, error = "") => page(
  "Sign in to the test provider",
  `${error ? `<p role="alert">${escape(error)}</p>` : ""}
  <form method="post" action="/interaction/${uid}">
    <label for="username">Username</label> <input id="username" name="username" autocomplete="username" required>
    <label for="password">Password</label> <input id="password" name="password" type="password" required>
    <button type="submit">Sign in</button>
  </form>`,
);

const readForm = (req) =>
  new Promise((resolve) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(new URLSearchParams(body)));
  });

const handle = provider.callback();
http
  .createServer(async (req, res) => {
    const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([^/]+)$/);
    if (!match) return handle(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end(loginForm(details.uid));
      }
      const form = await readForm(req);
      const who = (form.get("username") ?? "").trim().toLowerCase();
      if (!people[who]) {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        return res.end(loginForm(details.uid, "No such person at the test provider."));
      }
      await provider.interactionFinished(req, res, { login: { accountId: who } }, { mergeWithLastSubmission: false });
    } catch (error) {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end(String(error));
    }
  })
  .listen(port, "127.0.0.1", () => console.log(`test OpenID provider at ${issuer}`));
