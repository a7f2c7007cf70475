namespace GanSharp.Cli.Hype;

/// <summary>
/// The HYPE page: instructions, one image at a time with "Real" and "Fake" (keys R and F), and the scores at the end.
/// HYPE∞ shows each image until the answer; HYPE-time shows a fixation cross (500 ms), the image for the exposure the
/// server names, then a noise mask, and takes the answer after. Response times are measured from the frame the image
/// first appears in (<c>requestAnimationFrame</c>, so to the display's frame, about 16 ms). One file: no script,
/// style sheet or font from anywhere else.
/// </summary>
static class HypePage
{
    public const string Html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>HYPE — real or generated?</title>
        <style>
          :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f; background: #f4f4f4; }
          main { max-width: 560px; margin: 0 auto; padding: 16px; text-align: center; }
          h1 { font-size: 1.4rem; }
          p { line-height: 1.45; text-align: left; }
          #stage { position: relative; width: min(80vw, 320px); aspect-ratio: 1; margin: 12px auto; background: #fff; border: 1px solid #ccc; }
          #stage > * { position: absolute; inset: 0; width: 100%; height: 100%; }
          #image { image-rendering: pixelated; object-fit: contain; }
          #cross { display: flex; align-items: center; justify-content: center; font-size: 48px; color: #333; }
          #mask { image-rendering: pixelated; }
          .choices { display: flex; gap: 12px; justify-content: center; }
          button { font-size: 1.1rem; padding: 10px 22px; border-radius: 6px; border: 1px solid #888; background: #fff; cursor: pointer; }
          button:disabled { opacity: 0.4; cursor: default; }
          button.primary { background: #0072B2; color: #fff; border-color: #0072B2; }
          table { margin: 10px auto; border-collapse: collapse; }
          td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
          td:first-child, th:first-child { text-align: left; }
          td:last-child { white-space: nowrap; }
          .muted { color: #666; font-size: 0.9rem; }
          [hidden] { display: none !important; }
        </style>
        </head>
        <body>
        <main>
          <h1>Real or generated?</h1>
          <section id="intro">
            <p>You will see <b id="count">…</b> images, one at a time. Half are real images from the dataset; half were drawn by a
               generative model. For each, say which you think it is: <b>Real</b> (key R) or <b>Fake</b> (key F).</p>
            <p id="timed-note" hidden>Each image is shown only briefly, after a cross, and then covered by noise: answer after it is gone.
               The time it stays on screen adapts to your answers.</p>
            <p class="muted">Your answers stay on this computer: they are saved in the run's eval folder.</p>
            <button id="start" class="primary">Start</button>
          </section>
          <section id="trial" hidden>
            <div id="stage"><img id="image" alt="the image to judge"><div id="cross" hidden>+</div><canvas id="mask" hidden></canvas></div>
            <div class="choices"><button id="real" disabled>Real (R)</button><button id="fake" disabled>Fake (F)</button></div>
            <p class="muted" id="progress"></p>
          </section>
          <section id="result" hidden></section>
          <p id="error" role="alert" hidden></p>
        </main>
        <script>
        (function () {
          'use strict';
          var state = null, shownAt = 0, waiting = true;
          var $ = function (id) { return document.getElementById(id); };
          function fail(message) { $('error').textContent = message; $('error').hidden = false; }
          function enable(on) { waiting = !on; $('real').disabled = !on; $('fake').disabled = !on; }
          function percent(i) { return (100 * i.value).toFixed(1) + '% [' + (100 * i.lower).toFixed(1) + ', ' + (100 * i.upper).toFixed(1) + ']'; }
          function frame() { return new Promise(function (done) { requestAnimationFrame(done); }); }
          function sleep(ms) { return new Promise(function (done) { setTimeout(done, ms); }); }

          function drawMask() {
            var canvas = $('mask'), size = 32; canvas.width = size; canvas.height = size;
            var context = canvas.getContext('2d'), pixels = context.createImageData(size, size);
            for (var i = 0; i < pixels.data.length; i += 4) {
              var v = Math.floor(Math.random() * 256);
              pixels.data[i] = v; pixels.data[i + 1] = v; pixels.data[i + 2] = v; pixels.data[i + 3] = 255;
            }
            context.putImageData(pixels, 0, 0);
          }

          async function show() {
            if (state.finished) return finish();
            $('progress').textContent = 'Image ' + (state.next + 1) + ' of ' + state.images;
            var loading = new Image();
            loading.src = 'image/' + state.next;
            await loading.decode();                    // decoded before it is shown: the exposure is the image's, not the network's
            var image = $('image');
            image.src = loading.src;
            if (state.mode === 'time') {
              image.hidden = true; $('mask').hidden = true; $('cross').hidden = false;
              await sleep(500);
              $('cross').hidden = true; image.hidden = false;
              shownAt = await frame();
              await sleep(state.exposure_ms);
              await frame();
              drawMask(); $('mask').hidden = false; image.hidden = true;
            } else {
              image.hidden = false;
              shownAt = await frame();
            }
            enable(true);
          }

          async function answer(real) {
            if (waiting) return;
            var ms = performance.now() - shownAt;
            enable(false);
            var response = await fetch('answer', {
              method: 'POST', headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify({ image: state.next, real: real, response_ms: ms })
            });
            if (!response.ok) { fail('The answer was not recorded (' + response.status + '): ' + await response.text()); return; }
            state = await response.json();
            await show();
          }

          function finish() {
            $('trial').hidden = true;
            var r = $('result'), rows = '';
            if (state.infinity) {
              rows += '<tr><td>' + (state.mode === 'time' ? 'error rate (timed answers)' : 'error rate (HYPE∞)') + '</td><td id="score">' + percent(state.infinity.score) + '</td></tr>' +
                      '<tr><td>generated images you called real</td><td>' + percent(state.infinity.fakes) + '</td></tr>' +
                      '<tr><td>real images you called fake</td><td>' + percent(state.infinity.reals) + '</td></tr>';
            }
            if (state.time) rows += '<tr><td>your threshold (HYPE-time)</td><td id="threshold">' + state.time.threshold_ms.toFixed(0) +
                                    ' ms [' + state.time.lower_ms.toFixed(0) + ', ' + state.time.upper_ms.toFixed(0) + ']</td></tr>';
            r.innerHTML = '<h2>Done — thank you</h2><table>' + rows + '</table>' +
              '<p class="muted">Bootstrap 95% intervals. An error rate of 50% means the generated images could not be told from real ones.</p>' +
              '<p class="muted">Saved to <code></code>. You can close this page.</p>';
            r.querySelector('code').textContent = state.saved || '';
            r.dataset.score = state.infinity ? state.infinity.score.value : '';
            r.hidden = false;
          }

          $('real').addEventListener('click', function () { answer(true); });
          $('fake').addEventListener('click', function () { answer(false); });
          document.addEventListener('keydown', function (e) {
            if (e.key === 'r' || e.key === 'R') answer(true);
            else if (e.key === 'f' || e.key === 'F') answer(false);
          });
          $('start').addEventListener('click', async function () {
            $('intro').hidden = true; $('trial').hidden = false;
            await show();
          });
          fetch('state').then(function (r) { return r.json(); }).then(function (s) {
            state = s;
            $('count').textContent = s.images;
            $('timed-note').hidden = s.mode !== 'time';
            if (s.finished) finish();
          }).catch(function () { fail('The HYPE server is not answering: was it stopped?'); });
        })();
        </script>
        </body>
        </html>
        """;
}
