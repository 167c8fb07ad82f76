import { describeScale } from '../core/detection/scaleWords';
import { classColors } from '../core/detection/card';
import { useApp, useServices } from '../services/context';
import { CLASS_NAMES } from '../core/detection/classes';
import { shapeWord } from '../core/detection/classMark';
import { batchEstimate, countsSentence, formatRatio, perFieldText } from '../core/counts/counts';
import { formatFactor, parseFactor } from '../core/counts/estimate';
import { browserLocale, editable, fixed, plain } from '../core/formats/numbers';
import { COUNT_RULES } from '../core/detection/postprocess';
import { groundTruthAp, imageCounts, selectClumpedFields, selectCurrent, selectExcluded, selectSummary } from '../store/selectors';
import { selectCbc } from '../store/report';
import { nrbcPanelWords } from './countItems';
import { FlagsNotice } from './FlagsNotice';
import { InfoTip } from './InfoTip';
import { TapHint } from './TapHint';
import { useMemo, useState } from 'react';

export function CountsPanel() {
  const current = useApp(selectCurrent);
  const params = useApp((s) => s.postprocess);
  const summary = useApp(selectSummary);
  const clumped = useApp(selectClumpedFields);
  const excluded = useApp(selectExcluded);
  const refused = useApp((s) => s.refused.length);
  const counts = current?.status === 'done' ? imageCounts(current, params) : null;
  const images = useApp((s) => s.images);
  const order = useApp((s) => s.order);
  const currentId = useApp((s) => s.currentId);
  const ap = useMemo(() => groundTruthAp({ images, order, currentId, postprocess: params }), [images, order, currentId, params]);
  const { card } = useServices();
  const changed = useApp((s) => JSON.stringify(s.postprocess) !== JSON.stringify(s.defaults));
  const factors = useApp((s) => s.estimateFactors);
  const setFactor = useApp((s) => s.setEstimateFactor);
  const color = classColors(card);
  // every figure as the browser's country writes it ("1.363", "22,7", "15.000/µL" in a German lab)
  const locale = browserLocale();
  // The WBC estimate is the report's: of leukocytes, the boxes typed NRBC left out (store/report selectCbc)
  const cbc = useApp(selectCbc);
  const estimates = {
    WBC: factors.WBC && summary.images ? batchEstimate(cbc.summary, 'WBC', factors.WBC, clumped, locale) : null,
    Platelets: factors.Platelets && summary.images ? batchEstimate(summary, 'Platelets', factors.Platelets, clumped, locale) : null,
  };
  return (
    <section className="panel counts" aria-label="Counts">
      <h2 className="counts-title">
        Counts{current ? <span className="counts-image" title={current.name}> · {current.name}</span> : null}
        {changed && (
          <TapHint className="changed" testId="settings-changed" tip="Thresholds, NMS or the count rule differ from the model's defaults (settings panel: Model defaults restores the thresholds and NMS; the count rule is set there)">
            {' '}· settings changed
          </TapHint>
        )}
      </h2>
      <FlagsNotice />
      <table>
        <thead>
          <tr>
            <th>
              <span className="sr-only">Class</span>
            </th>
            <th title={current?.name}>This image</th>
            <th>Batch total</th>
            <th>Mean / image</th>
          </tr>
        </thead>
        <tbody>
          {CLASS_NAMES.map((c) => (
            <tr key={c}>
              <th>
                <span className={`swatch class-mark ${shapeWord(c)}`} style={{ borderColor: color[c] }} /> {c}
              </th>
              <td data-testid={`count-${c}`}>{counts ? plain(counts[c], locale) : ''}</td>
              <td data-testid={`total-${c}`}>{plain(summary.totals[c], locale)}</td>
              <td data-testid={`mean-${c}`}>{summary.images ? perFieldText(summary.meanPerImage[c], locale) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <dl className="ratios">
        <dt>
          <InfoTip text="WBC : RBC (one WBC per n RBC)" label="About WBC : RBC" testId="ratio-wbc-tip">
            White cells per red cell over the batch: 1 : 500 means one WBC for every 500 RBCs counted.
          </InfoTip>
        </dt>
        <dd data-testid="ratio-wbc">{formatRatio(summary.wbcPerRbc, locale)}</dd>
        <dt>
          <InfoTip text="Platelets : RBC (one per n RBC)" label="About Platelets : RBC" testId="ratio-platelets-tip">
            Platelets per red cell over the batch: 1 : 15 means one platelet for every 15 RBCs counted.
          </InfoTip>
        </dt>
        <dd data-testid="ratio-platelets">{formatRatio(summary.plateletsPerRbc, locale)}</dd>
        {cbc.nrbc.counted > 0 && (
          <>
            <dt>NRBC</dt>
            <dd data-testid="nrbc-note">{nrbcPanelWords(cbc.nrbc.counted, locale)}</dd>
          </>
        )}
        <dt>Images counted</dt>
        <dd>
          <span data-testid="images-counted">{plain(summary.images, locale)}</span>
          {excluded ? <span data-testid="images-excluded"> ({excluded} flagged left out)</span> : null}
          {/* files the intake refused are in no total: said here as the phone's counts bar says it, since the
              notices that name them can be dismissed */}
          {refused ? (
            <span data-testid="images-refused">
              {' '}
              ({refused} {refused === 1 ? 'file' : 'files'} refused, not counted)
            </span>
          ) : null}
        </dd>
        {ap.images > 0 && (
          <>
            <dt title="AP@0.5 against the dropped VOC annotations">AP@0.5 this image</dt>
            <dd data-testid="ap-image">{ap.image === null ? '–' : fixed(ap.image, 3, locale)}</dd>
            <dt>AP@0.5 batch ({ap.images} annotated)</dt>
            <dd data-testid="ap-batch">{ap.batch === null ? '–' : fixed(ap.batch, 3, locale)}</dd>
          </>
        )}
      </dl>
      <details className="estimates" data-testid="estimates">
        <summary>Smear estimates{factors.WBC || factors.Platelets ? '' : ' (off)'}</summary>
        <p className="hint">
          Estimate = mean count per field × a factor for your microscope and field size (e.g. WBC × {formatFactor(2000, locale)} at 40×, platelets ×{' '}
          {formatFactor(15000, locale)}–{formatFactor(20000, locale)} at 100× oil). Estimates only: they depend on the smear's thickness and the factor you set.
        </p>
        {(['WBC', 'Platelets'] as const).map((k) => (
          <label key={k} className="estimate">
            <span>{k} factor</span>
            <FactorInput cls={k} factor={factors[k]} onFactor={(v) => setFactor(k, v)} />
            <output data-testid={`estimate-${k}`}>
              {estimates[k]
                ? ((e) => `${e.formula} = ${e.value} (estimate; ${e.intervalText}, ${e.basis})${e.moreFields ? `. About ${e.moreFields} more field${e.moreFields === 1 ? '' : 's'} for ±20%.` : ''}`)(estimates[k])
                : ''}
            </output>
          </label>
        ))}
        {estimates.Platelets?.caution && (
          <p className="hint estimate-caution" data-testid="estimate-caution-Platelets">
            {estimates.Platelets.caution}
          </p>
        )}
      </details>
      <p className="sr-only" aria-live="polite" data-testid="counts-announce">
        {counts && current ? `${current.name}: ${countsSentence(counts)}.` : ''}
      </p>
      <p className="count-rule" data-testid="count-rule-shown">
        Counting: {COUNT_RULES[params.countRule]}.
      </p>
      {current?.status === 'done' && current.scale && (
        <p className="scale-info" data-testid="scale-info">
          Magnification:{' '}
          {describeScale(current.scale, locale)}
        </p>
      )}
      {current?.status === 'error' && <p className="error-text">{current.error}</p>}
    </section>
  );
}

/** A smear-estimate factor: what is typed stays in the field; a factor no microscope has (0, negative, a
 * million and more) is refused with why, and the one in force stays (a '-' or a '0' emptied the field and
 * turned the estimate off without a word). A text field read by parseFactor in the browser's locale: as a
 * number field it took a German "5,5" as 55 and "15.000" as 15 without a word, and the field keeps its own
 * text, as a factor read back into it ("15.0" shown as "15") turned the next digit typed into a factor ten
 * times too large. */
function FactorInput({ cls, factor, onFactor }: { cls: 'WBC' | 'Platelets'; factor: number | null; onFactor(v: number | null): void }) {
  const locale = browserLocale();
  // with the country's decimal sign and no grouping, as a technician types it, which parseFactor reads back
  // ("5,5" in de-DE, beside the estimate's "5,5": it came back "5.5")
  const shown = (f: number | null) => (f === null ? '' : editable(f, locale));
  const [text, setText] = useState(shown(factor));
  // the factor changed elsewhere (restored after a reload, another tab): the field follows it
  const [seen, setSeen] = useState(factor);
  const parsed = parseFactor(text, locale);
  if (factor !== seen) {
    setSeen(factor);
    if (!('factor' in parsed) || parsed.factor !== factor) setText(shown(factor));
  }
  const error = 'error' in parsed && text.trim() ? parsed.error : null;
  return (
    <>
      <input
        type="text"
        inputMode="decimal"
        autoComplete="off"
        placeholder="off"
        value={text}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `factor-error-${cls}` : undefined}
        data-testid={`factor-${cls}`}
        onChange={(e) => {
          setText(e.target.value);
          const r = parseFactor(e.target.value, locale);
          if ('factor' in r) {
            setSeen(r.factor);
            onFactor(r.factor);
          }
        }}
      />
      {error && (
        <span className="hint estimate-error" id={`factor-error-${cls}`} data-testid={`factor-error-${cls}`} role="alert">
          Not applied: {error}; {factor === null ? 'the estimate stays off' : `the factor in force stays ${formatFactor(factor, locale)}`}.
        </span>
      )}
    </>
  );
}
