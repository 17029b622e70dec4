import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

import { api, call } from '../../api/client';
import { ApiError } from '../../api/errors';
import type { AuditVerification } from '../../api/types';
import { ErrorState } from '../../ui/states';
import type { AuditQuery } from './audit-filters';
import { fileNameOf } from './audit-filters';

/** Recomputes the hash chains (`GET /admin/v1/audit/verify`) and says whether they hold, or where the first breaks. */
export function VerifyChain({ orgId }: { orgId: string | undefined }) {
  const verify = useMutation({
    mutationFn: () =>
      call<AuditVerification>(api.GET('/admin/v1/audit/verify', { params: { query: orgId ? { orgId } : {} } })),
  });
  const result = verify.data;
  return (
    <section aria-labelledby="verify-title">
      <h2 id="verify-title">Chain verification</h2>
      <div className="actions">
        <button type="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
          {verify.isPending ? 'Verifying…' : 'Verify the chain'}
        </button>
      </div>
      <div role="status" data-testid="verify-status">
        {result?.ok && (
          <p>
            <span className="status-ok">Intact:</span> {result.checked} records in {result.chains}{' '}
            {result.chains === 1 ? 'chain' : 'chains'} verified.
          </p>
        )}
        {result && !result.ok && (
          <>
            <p>
              <span className="status-broken">Broken</span>
              {result.firstBroken && (
                <>
                  {' '}
                  at record {result.firstBroken.seq ?? '(missing)'} of chain <code>{result.firstBroken.chainId}</code>{' '}
                  (position {result.firstBroken.position}): {result.firstBroken.reason}.
                </>
              )}
            </p>
            {result.firstBroken && (
              <p className="hint">
                Expected <code>{result.firstBroken.expected}</code>, found <code>{result.firstBroken.found}</code>.
                Records from there on cannot be trusted: keep the export and tell the instance operator.
              </p>
            )}
          </>
        )}
      </div>
      {verify.error && <ErrorState error={verify.error} what="verify the chain" />}
    </section>
  );
}

/** The trail with the current filters as a file (`GET /admin/v1/audit/export`), CSV or JSON lines. */
export function ExportTrail({ query }: { query: AuditQuery }) {
  const [format, setFormat] = useState<'csv' | 'jsonl'>('csv');
  const download = useMutation({
    mutationFn: async () => {
      const answer = await api
        .GET('/admin/v1/audit/export', {
          params: { query: { ...query, format } },
          parseAs: 'blob',
        })
        .catch(() => {
          throw new ApiError(0, 'the gateway did not answer');
        });
      if (!answer.response.ok) throw ApiError.of(answer.response.status, answer.error);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(answer.data as Blob);
      link.download = fileNameOf(answer.response.headers.get('content-disposition'), format);
      document.body.append(link);
      link.click();
      link.remove();
      // After the click the browser has the file; the object URL is no longer needed.
      setTimeout(() => URL.revokeObjectURL(link.href), 1_000);
    },
  });
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export</h2>
      <p className="hint">The records the filters select, newest first, at most 100,000.</p>
      <div className="actions">
        <label>
          Format
          <select value={format} onChange={(event) => setFormat(event.target.value as 'csv' | 'jsonl')}>
            <option value="csv">CSV</option>
            <option value="jsonl">JSON lines</option>
          </select>
        </label>
        <button type="button" disabled={download.isPending} onClick={() => download.mutate()}>
          {download.isPending ? 'Preparing…' : 'Download export'}
        </button>
      </div>
      {download.error && <ErrorState error={download.error} what="export the trail" />}
    </section>
  );
}
