// The page shown instead of the terminal when there is no access token, or the server refused it.
import { tokenFromPasted } from "./auth.js";

/** Why the terminal cannot be shown. */
export type NoticeReason = "missing-token" | "refused-token" | "too-many-connections";

interface Notice {
  title: string;
  /** Text; what stands between backticks is shown as code. */
  paragraphs: string[];
}

const NOTICES: Record<NoticeReason, Notice> = {
  "missing-token": {
    title: "This page needs its access link",
    paragraphs: [
      "Porthole opens with a link that carries an access token after a #, like this address followed by /#token=… . The token stays in this browser tab and is never sent in a URL to the server.",
      "Find the link in the output of the Porthole server: it prints “Porthole is running … Open:” followed by the link when it starts. Open that link (the whole of it, including `#token=…`), or paste it below. When its output goes to a log rather than a terminal, the link names a file instead of the token (`npm start` keeps it in `.start-token`): paste the token from that file below.",
      "A server started without `PORTHOLE_TOKEN` or a token file makes up a new token each time it starts, so links from an earlier run stop working.",
    ],
  },
  "too-many-connections": {
    title: "Too many windows are open with this access link",
    paragraphs: [
      "The server lets one access token hold a limited number of connections (`MAX_CONNECTIONS_PER_TOKEN`), and every Porthole window or tab holds one. Close another window with this link, then reload this page.",
    ],
  },
  "refused-token": {
    title: "The server refused this access token",
    paragraphs: [
      "The token in the link is not one this server accepts. It may come from an earlier run of the server (without `PORTHOLE_TOKEN` or a token file, such as `npm start`'s `.start-token`, it makes up a new token each time it starts) or be mistyped.",
      "Open the link the server printed when it started (“Porthole is running … Open:”), the whole of it including `#token=…`, or paste it below; when that link names a file, the token is in that file.",
    ],
  },
};

/** Replaces the page's content with an explanation of `reason`. */
export function showNotice(root: HTMLElement, reason: NoticeReason): void {
  const notice = NOTICES[reason];
  const main = document.createElement("main");
  main.className = "notice";
  main.dataset.notice = reason;
  const heading = document.createElement("h1");
  heading.textContent = notice.title;
  main.append(heading);
  for (const text of notice.paragraphs) main.append(paragraphOf(text));
  if (reason !== "too-many-connections") {
    const example = document.createElement("pre");
    example.textContent = `Porthole is running (local sandboxes). Open:\n\n  ${location.origin}/#token=…`;
    main.append(example, tokenForm());
  }
  root.replaceChildren(main);
  document.title = "Porthole: access link needed";
}

/** A paragraph of `text`, its backticked parts as code. */
function paragraphOf(text: string): HTMLParagraphElement {
  const paragraph = document.createElement("p");
  for (const [index, part] of text.split("`").entries()) {
    if (index % 2 === 0) {
      paragraph.append(part);
      continue;
    }
    const code = document.createElement("code");
    code.textContent = part;
    paragraph.append(code);
  }
  return paragraph;
}

/**
 * Where the link or its token can be pasted, rather than typed into the address bar. It goes into
 * the fragment as a link would bring it, so it is taken the same way (and never sent in a URL).
 */
function tokenForm(): HTMLFormElement {
  const form = document.createElement("form");
  form.className = "token-form";
  const input = document.createElement("input");
  input.name = "token";
  input.autocomplete = "off";
  input.spellcheck = false;
  input.placeholder = "Paste the link, or the token alone";
  input.setAttribute("aria-label", "Access link or token");
  const open = document.createElement("button");
  open.type = "submit";
  open.textContent = "Open";
  const problem = document.createElement("p");
  problem.className = "token-problem";
  problem.hidden = true;
  problem.textContent = "That has no token: paste the whole link, or the token from the file.";
  form.append(input, open, problem);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = tokenFromPasted(input.value);
    problem.hidden = token !== null;
    if (token !== null) location.hash = `token=${encodeURIComponent(token)}`;
  });
  return form;
}
