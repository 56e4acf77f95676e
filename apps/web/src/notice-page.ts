// The page shown instead of the terminal when there is no access token, or the server refused it.

/** Why the terminal cannot be shown. */
export type NoticeReason = "missing-token" | "refused-token" | "too-many-connections";

interface Notice {
  title: string;
  paragraphs: string[];
}

const NOTICES: Record<NoticeReason, Notice> = {
  "missing-token": {
    title: "This page needs its access link",
    paragraphs: [
      "Porthole opens with a link that carries an access token after a #, like this address followed by /#token=… . The token stays in this browser tab and is never sent in a URL to the server.",
      "Find the link in the output of the Porthole server: it prints “Porthole is running … Open:” followed by the link when it starts. Open that link (the whole of it, including #token=…). When its output goes to a log rather than a terminal, the link names a file instead of the token (`npm start` keeps it in .start-token): put the token from that file after #token= .",
      "A server started without PORTHOLE_TOKEN or a token file makes up a new token each time it starts, so links from an earlier run stop working.",
    ],
  },
  "too-many-connections": {
    title: "Too many windows are open with this access link",
    paragraphs: [
      "The server lets one access token hold a limited number of connections (MAX_CONNECTIONS_PER_TOKEN), and every Porthole window or tab holds one. Close another window with this link, then reload this page.",
    ],
  },
  "refused-token": {
    title: "The server refused this access token",
    paragraphs: [
      "The token in the link is not one this server accepts. It may come from an earlier run of the server (without PORTHOLE_TOKEN or a token file, such as `npm start`'s .start-token, it makes up a new token each time it starts) or be mistyped.",
      "Open the link the server printed when it started (“Porthole is running … Open:”), the whole of it including #token=… ; when that link names a file, the token is in that file.",
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
  for (const text of notice.paragraphs) {
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    main.append(paragraph);
  }
  const example = document.createElement("pre");
  example.textContent = `Porthole is running (local sandboxes). Open:\n\n  ${location.origin}/#token=…`;
  if (reason !== "too-many-connections") main.append(example);
  root.replaceChildren(main);
  document.title = "Porthole: access link needed";
}
