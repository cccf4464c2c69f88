// What a message says. HTML is sanitised by the server and shown in a sandboxed frame (no script, no
// form, no same-origin access; popups only, let out of the sandbox, so that the mail's links (absolute
// ones only, target=_blank, noopener) open in a new tab instead of being silently blocked); remote
// images stay blocked until the reader asks, because loading them tells the sender the mail was read.
// Plain text is shown as text.
import { useState } from 'preact/hooks';
import { bytes, type MessageBody } from './message-types.js';

export function MessageContent({ id, body }: { id: number; body: MessageBody }) {
  const [images, setImages] = useState(false);
  const [asText, setAsText] = useState(!body.hasHtml);
  return (
    <div class="message-content">
      <dl class="headers">
        <dt>From</dt><dd>{body.from ?? '—'}</dd>
        <dt>To</dt><dd>{body.to.join(', ') || '—'}</dd>
        {body.cc.length > 0 && <><dt>Cc</dt><dd>{body.cc.join(', ')}</dd></>}
        <dt>Date</dt><dd>{new Date(body.date).toLocaleString()}</dd>
      </dl>
      {body.hasHtml && (
        <div class="content-controls">
          <button type="button" class="secondary" aria-pressed={asText} onClick={() => setAsText(!asText)}>{asText ? 'Show HTML' : 'Show plain text'}</button>
          {!asText && body.remoteImages > 0 && !images && (
            <>
              <button type="button" class="secondary" onClick={() => setImages(true)}>Show images</button>
              <span class="hint">{body.remoteImages} remote image{body.remoteImages === 1 ? ' is' : 's are'} blocked: loading them tells the sender you read this.</span>
            </>
          )}
        </div>
      )}
      {asText ? (
        <pre class="mail-text">{body.text || '(this message has no text)'}</pre>
      ) : (
        <iframe
          class="mail-html"
          title="Message content (sanitised HTML)"
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          src={`/api/v1/messages/${id}/body.html?images=${images ? 1 : 0}`}
        />
      )}
      {body.attachments.length > 0 && (
        <>
          <h3>Attachments</h3>
          <ul class="attachments">
            {body.attachments.map((a, i) => (
              <li key={i}>
                {a.id !== null ? <a href={`/api/v1/tracker/attachments/${a.id}/content`} download={a.fileName}>{a.fileName}</a> : <span>{a.fileName}</span>}
                {' '}<span class="hint">{a.contentType}, {bytes(a.size)}{a.id === null ? ' — in the raw message only (download it raw)' : ''}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
