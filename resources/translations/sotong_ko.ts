<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>AccountTableModel</name>
    <message>
        <source>Channel</source>
        <extracomment>Account id (str). An :class:`AccountState` value (str). The account&apos;s raw ``last_error`` code, or None. True when the account needs a token this PC&apos;s keyring does not hold. Keys that mean someone is about to put a secret into the (plain, synced) settings.</extracomment>
        <translation>채널</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>State</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Last problem</source>
        <translation>최근 문제</translation>
    </message>
    <message>
        <source>Last received</source>
        <translation>마지막 수신</translation>
    </message>
    <message>
        <source>%1 malformed or unsupported items left out (last: %2)</source>
        <translation>형식이 잘못되었거나 지원하지 않는 항목 %1건을 건너뛰었습니다 (마지막: %2)</translation>
    </message>
    <message>
        <source>Connector: %1</source>
        <translation>연결 방식: %1</translation>
    </message>
    <message>
        <source>Billed per request: about %1 reads a month at this polling interval</source>
        <translation>호출마다 요금이 부과됩니다: 지금 확인 주기로 한 달에 약 %1회 조회합니다</translation>
    </message>
    <message>
        <source>Not yet</source>
        <translation>아직 없음</translation>
    </message>
</context>
<context>
    <name>AccountsPanel</name>
    <message>
        <source>Add…</source>
        <translation>추가…</translation>
    </message>
    <message>
        <source>Reconnect…</source>
        <translation>다시 연결…</translation>
    </message>
    <message>
        <source>Enter a new token or password</source>
        <translation>새 토큰이나 비밀번호를 입력합니다</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>연결 테스트</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>일시 중지</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>연결 해제</translation>
    </message>
    <message>
        <source>Changes here take effect at once. Tokens and passwords are kept only in this PC&apos;s secure password store.</source>
        <translation>여기서 바꾼 내용은 바로 적용됩니다. 토큰과 비밀번호는 이 PC의 안전한 암호 저장소에만 보관됩니다.</translation>
    </message>
    <message>
        <source>Only an administrator can connect, pause or remove channel accounts.</source>
        <translation>채널 계정 연결·일시 중지·해제는 관리자만 할 수 있습니다.</translation>
    </message>
    <message>
        <source>Enter token…</source>
        <translation>토큰 입력…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>다시 시작</translation>
    </message>
    <message>
        <source>Account added.</source>
        <translation>계정을 추가했습니다.</translation>
    </message>
    <message>
        <source>New token saved.</source>
        <translation>새 토큰을 저장했습니다.</translation>
    </message>
    <message>
        <source>Token saved on this PC.</source>
        <translation>이 PC에 토큰을 저장했습니다.</translation>
    </message>
    <message>
        <source>Testing %1…</source>
        <translation>%1 연결을 확인하는 중…</translation>
    </message>
    <message>
        <source>Remove “%1”? Sotong stops checking this account and forgets its token on this PC. Its conversations are kept.</source>
        <translation>“%1” 계정의 연결을 해제할까요? 소통이 이 계정의 메시지를 더 이상 확인하지 않고, 이 PC에 저장된 토큰도 지웁니다. 지금까지의 대화는 그대로 보관됩니다.</translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation>계정 연결 해제</translation>
    </message>
</context>
<context>
    <name>AddAccountDialog</name>
    <message>
        <source>Add a channel account</source>
        <translation>채널 계정 추가</translation>
    </message>
    <message>
        <source>As staff will see it, e.g. 소통의원 Facebook</source>
        <translation>직원에게 보일 이름 (예: 소통의원 Facebook)</translation>
    </message>
    <message>
        <source>One setting per line, KEY=VALUE, for example
base_url=https://…</source>
        <translation>한 줄에 설정 하나씩 KEY=VALUE 형식으로 입력합니다. 예:
base_url=https://…</translation>
    </message>
    <message>
        <source>Kept only in this PC&apos;s password store</source>
        <translation>이 PC의 암호 저장소에만 보관됩니다</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Connector</source>
        <translation>연결 방식</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>표시 이름</translation>
    </message>
    <message>
        <source>Id on the channel</source>
        <translation>채널 ID</translation>
    </message>
    <message>
        <source>Connector settings</source>
        <translation>연결 설정</translation>
    </message>
    <message>
        <source>Token or password</source>
        <translation>토큰 또는 비밀번호</translation>
    </message>
    <message>
        <source>Page id</source>
        <translation>페이지 ID</translation>
    </message>
    <message>
        <source>Instagram account id</source>
        <translation>인스타그램 계정 ID</translation>
    </message>
    <message>
        <source>Account name, e.g. @sotong_clinic</source>
        <translation>계정 이름 (예: @sotong_clinic)</translation>
    </message>
    <message>
        <source>Bot name, e.g. @sotong_bot</source>
        <translation>봇 이름 (예: @sotong_bot)</translation>
    </message>
    <message>
        <source>E-mail address</source>
        <translation>이메일 주소</translation>
    </message>
    <message>
        <source>Phone number</source>
        <translation>전화번호</translation>
    </message>
    <message>
        <source>Channel or account id on the network</source>
        <translation>해당 서비스의 채널 또는 계정 ID</translation>
    </message>
    <message>
        <source>Enter a display name.</source>
        <translation>표시 이름을 입력하세요.</translation>
    </message>
    <message>
        <source>Enter the account&apos;s id on the channel (page id, bot name, address…).</source>
        <translation>채널 ID(페이지 ID, 봇 이름, 주소 등)를 입력하세요.</translation>
    </message>
    <message>
        <source>Line %1 of the connector settings is not in the form KEY=VALUE.</source>
        <translation>연결 설정의 %1번째 줄이 KEY=VALUE 형식이 아닙니다.</translation>
    </message>
    <message>
        <source>Put tokens and passwords in the password field, not in the connector settings.</source>
        <translation>토큰과 비밀번호는 연결 설정이 아니라 비밀번호 칸에 입력하세요.</translation>
    </message>
    <message>
        <source>This version of Sotong has no connectors.</source>
        <translation>이 버전의 소통에는 사용할 수 있는 연결 방식이 없습니다.</translation>
    </message>
</context>
<context>
    <name>CannedPanel</name>
    <message>
        <source>e.g. 강남점</source>
        <extracomment>Asks what to do with unsaved edits: :data:`SAVE`, :data:`DISCARD` or :data:`CANCEL`. (title, shortcut, text) as last shown or saved: the edits are what differs.</extracomment>
        <translation>예: 강남점</translation>
    </message>
    <message>
        <source>One word to find it by, e.g. 예약</source>
        <translation>찾을 때 쓸 한 단어, 예: 예약</translation>
    </message>
    <message>
        <source>Placeholders: %1 — the customer&apos;s name, the branch, the assignee (else whoever writes the reply).</source>
        <translation>자리표시자: %1 — 고객 이름, 지점 이름, 담당자(없으면 답장을 쓰는 직원)로 바뀝니다.</translation>
    </message>
    <message>
        <source>Your role may use these responses but not change them.</source>
        <translation>현재 역할로는 상용구를 사용할 수만 있고 바꿀 수는 없습니다.</translation>
    </message>
    <message>
        <source>New</source>
        <translation>새로 만들기</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>위로</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>아래로</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>제목</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>단축어</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>내용</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>미리보기</translation>
    </message>
    <message>
        <source>Branch name ({지점})</source>
        <translation>지점 이름 ({지점})</translation>
    </message>
    <message>
        <source>“%1” has changes that are not saved.</source>
        <translation>“%1”에 저장하지 않은 변경 사항이 있습니다.</translation>
    </message>
    <message>
        <source>The new response is not saved.</source>
        <translation>새 상용구가 아직 저장되지 않았습니다.</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>저장하지 않은 변경 사항</translation>
    </message>
    <message>
        <source>Save them before moving on?</source>
        <translation>넘어가기 전에 저장할까요?</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>버리기</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>저장했습니다.</translation>
    </message>
    <message>
        <source>Delete the response “%1”?</source>
        <translation>상용구 “%1”을(를) 삭제할까요?</translation>
    </message>
    <message>
        <source>Delete response</source>
        <translation>상용구 삭제</translation>
    </message>
</context>
<context>
    <name>CannedPicker</name>
    <message>
        <source>Find a canned response…</source>
        <extracomment>The response&apos;s id (str).</extracomment>
        <translation>상용구 찾기…</translation>
    </message>
    <message>
        <source>No canned response matches.</source>
        <translation>맞는 상용구가 없습니다.</translation>
    </message>
</context>
<context>
    <name>CannedTexts</name>
    <message>
        <source>Give the response a title of 1 to 120 characters.</source>
        <extracomment>The response&apos;s id (str). The sample customer the preview fills in. Answers to &quot;save the changes?&quot;: save them, drop them, or stay on the response.</extracomment>
        <translation>제목을 1~120자로 입력하세요.</translation>
    </message>
    <message>
        <source>Write the response&apos;s text (at most 20,000 characters).</source>
        <translation>상용구 내용을 입력하세요(최대 20,000자).</translation>
    </message>
    <message>
        <source>A shortcut is one word, without spaces.</source>
        <translation>단축어는 띄어쓰기 없이 한 단어로 입력하세요.</translation>
    </message>
    <message>
        <source>A shortcut has at most 40 characters.</source>
        <translation>단축어는 최대 40자입니다.</translation>
    </message>
    <message>
        <source>The branch name has at most 40 characters, on one line.</source>
        <translation>지점 이름은 한 줄로 최대 40자입니다.</translation>
    </message>
    <message>
        <source>Unknown placeholders, left as written: %1</source>
        <translation>알 수 없는 자리표시자(그대로 남음): %1</translation>
    </message>
    <message>
        <source>No value yet for: %1</source>
        <translation>아직 값이 없는 자리표시자: %1</translation>
    </message>
</context>
<context>
    <name>ContactPanel</name>
    <message>
        <source>Open a conversation to see who the customer is.</source>
        <translation>대화를 열면 어떤 고객인지 여기에 표시됩니다.</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>고객 정보</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>The name staff know this customer by</source>
        <translation>직원들이 이 고객을 부르는 이름</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Notes for colleagues; never sent</source>
        <translation>직원용 메모 (고객에게 보내지 않음)</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Merge…</source>
        <translation>병합…</translation>
    </message>
    <message>
        <source>Join another contact into this one: the same person on another channel</source>
        <translation>다른 채널에 있는 같은 사람을 이 고객으로 합칩니다</translation>
    </message>
    <message>
        <source>Conversations on every channel</source>
        <translation>모든 채널의 대화</translation>
    </message>
    <message>
        <source>Split off a channel</source>
        <translation>채널 분리</translation>
    </message>
    <message numerus="yes">
        <source>%1 on %2 and its %n conversation(s) will become a separate contact. “%3” keeps the other channels. You can merge them again at any time.</source>
        <translation>
            <numerusform>%2의 %1 계정과 대화 %n건이 별도의 고객으로 분리됩니다. “%3” 고객에는 나머지 채널이 남습니다. 언제든 다시 병합할 수 있습니다.</numerusform>
        </translation>
    </message>
    <message>
        <source>Split</source>
        <translation>분리</translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message>
        <source>Changed on 2 PCs</source>
        <translation>동시 변경</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>충돌</translation>
    </message>
    <message>
        <source>Not sent</source>
        <translation>전송 실패</translation>
    </message>
    <message numerus="yes">
        <source>%n to send</source>
        <translation>
            <numerusform>전송 대기 %n</numerusform>
        </translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>임시저장</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1 · auto</source>
        <extracomment>Conversation id (str). Channel kind (str). Contact display name (str). Last message, one line (str). Department code, or &quot;&quot; when untriaged. Department chip text (&quot;성형외과&quot;, or &quot;미분류&quot; when untriaged). Department colour (hex), or &quot;&quot; when untriaged. Time text at the right of the row: waiting time, or when the last message came. Minutes the customer has waited, or -1 if the clinic answered last. Unread inbound messages (bool). The operator has a draft here (bool). Replies queued or sending (int). Replies failed or with an unknown outcome (int). Conversation status (str). Assignee operator id, or &quot;&quot;. False while the row is a placeholder (not read yet, or gone). The whole :class:`ConversationRow`, or None. ``(start, end)`` offsets of the searched words in the SnippetRole text (tuple, maybe empty). ``(start, end)`` offsets of the searched words in the contact name. A draft here has a conflict copy: two PCs changed it at once (bool). True while the customer has waited at least the SLA target (business time). A field edit made on this PC was overwritten by a concurrent edit on another PC (bool). After a change, a search in force is run again this much later (bursts make one search).</extracomment>
        <translation>%1 · 자동</translation>
    </message>
    <message>
        <source>%1 · %2?</source>
        <translation>%1 · %2?</translation>
    </message>
    <message>
        <source>changed on another PC at the same time</source>
        <translation>다른 PC에서 같은 때에 바뀜</translation>
    </message>
</context>
<context>
    <name>Dashboard</name>
    <message>
        <source>%1 min</source>
        <extracomment>Changes are gathered this long before the figures are computed again. While shown, the figures are computed again this often (waiting times move on). Periods the tables and the department chart can show. A link: the list it opens and the title the list gets.</extracomment>
        <translation>%1분</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1시간 %2분</translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation>%1일 %2시간</translation>
    </message>
</context>
<context>
    <name>DashboardWindow</name>
    <message>
        <source>Dashboard — Sotong</source>
        <translation>대시보드 — 소통</translation>
    </message>
    <message>
        <source>Clinic dashboard</source>
        <translation>운영 대시보드</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>오늘</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>최근 7일</translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation>최근 30일</translation>
    </message>
    <message>
        <source>Period of the times in the tables and the chart</source>
        <translation>표와 그래프의 응답 시간 기간</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>열린 대화</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>미배정</translation>
    </message>
    <message>
        <source>Untriaged</source>
        <translation>미분류</translation>
    </message>
    <message>
        <source>Waiting for a reply</source>
        <translation>답변 대기</translation>
    </message>
    <message>
        <source>Past the target now</source>
        <translation>지금 목표 시간 초과</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>최장 대기</translation>
    </message>
    <message>
        <source>1st reply, median today</source>
        <translation>오늘 첫 응답 중앙값</translation>
    </message>
    <message>
        <source>Resolved, median today</source>
        <translation>오늘 해결 중앙값</translation>
    </message>
    <message>
        <source>SLA breaches today</source>
        <translation>오늘 SLA 위반</translation>
    </message>
    <message>
        <source>Replies sent today</source>
        <translation>오늘 보낸 답장</translation>
    </message>
    <message>
        <source>By department</source>
        <translation>진료과별</translation>
    </message>
    <message>
        <source>By channel</source>
        <translation>채널별</translation>
    </message>
    <message>
        <source>Trends</source>
        <translation>추이</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>직원</translation>
    </message>
    <message>
        <source>Customer messages per day (30 days)</source>
        <translation>일별 고객 메시지 (30일)</translation>
    </message>
    <message>
        <source>Customer messages by hour of day (7 days)</source>
        <translation>시간대별 고객 메시지 (7일)</translation>
    </message>
    <message>
        <source>First-reply time by department</source>
        <translation>진료과별 첫 응답 시간</translation>
    </message>
    <message>
        <source>Updated %1</source>
        <translation>%1 갱신</translation>
    </message>
    <message>
        <source>90%: %1</source>
        <translation>90%: %1</translation>
    </message>
    <message>
        <source>%1 late replies</source>
        <translation>늦은 응답 %1건</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>메시지</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>메시지 수</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>중앙값</translation>
    </message>
    <message>
        <source>90%</source>
        <translation>90%</translation>
    </message>
    <message>
        <source>reply time (min)</source>
        <translation>응답 시간(분)</translation>
    </message>
</context>
<context>
    <name>DaysModel</name>
    <message>
        <source>Closed</source>
        <translation>휴무</translation>
    </message>
    <message>
        <source>Open (public holiday)</source>
        <translation>진료 (공휴일)</translation>
    </message>
</context>
<context>
    <name>DraftConflictBar</name>
    <message>
        <source>View other version</source>
        <translation>다른 버전 보기</translation>
    </message>
    <message>
        <source>Show or hide the other version (Alt+V)</source>
        <translation>다른 버전 보기/숨기기 (Alt+V)</translation>
    </message>
    <message>
        <source>Use it</source>
        <translation>이 버전 사용</translation>
    </message>
    <message>
        <source>Put the other version in the composer; your current text becomes the other version (Alt+U)</source>
        <translation>다른 버전을 입력창에 넣습니다. 지금 입력창의 글은 다른 버전으로 보관됩니다 (Alt+U)</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>버리기</translation>
    </message>
    <message>
        <source>Throw the other version away (Alt+X)</source>
        <translation>다른 버전을 버립니다 (Alt+X)</translation>
    </message>
    <message>
        <source>Your draft was also changed on another PC at %1. The other version is kept.</source>
        <translation>이 답장 초안이 %1에 다른 PC에서도 수정되었습니다. 다른 버전도 보관되어 있습니다.</translation>
    </message>
</context>
<context>
    <name>ExpiredBanner</name>
    <message>
        <source>Reconnect…</source>
        <translation>다시 연결…</translation>
    </message>
</context>
<context>
    <name>FieldConflictBar</name>
    <message>
        <source>Restore my value</source>
        <translation>내 값으로 되돌리기</translation>
    </message>
    <message>
        <source>Set it back to the value chosen on this PC; other PCs get it too (Alt+R)</source>
        <translation>이 PC에서 고른 값으로 되돌립니다. 다른 PC에도 반영됩니다 (Alt+R)</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>확인</translation>
    </message>
    <message>
        <source>Keep the value that was applied (Alt+O)</source>
        <translation>적용된 값을 그대로 둡니다 (Alt+O)</translation>
    </message>
    <message>
        <source>PC “%1”</source>
        <translation>PC ‘%1’에서</translation>
    </message>
    <message>
        <source>Another PC</source>
        <translation>다른 PC에서</translation>
    </message>
    <message>
        <source>%1 put the label “%2” on at the same time. What you did: took it off</source>
        <translation>%1 같은 때에 ‘%2’ 라벨을 붙였습니다. 내가 한 일: 뺌</translation>
    </message>
    <message>
        <source>%1 took the label “%2” off at the same time. What you did: put it on</source>
        <translation>%1 같은 때에 ‘%2’ 라벨을 뺐습니다. 내가 한 일: 붙임</translation>
    </message>
    <message>
        <source>%3 changed the department at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 담당 부서를 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed the assignee at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 담당자를 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed the status at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 상태를 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed the priority at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 중요도를 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed the snooze time at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 다시 알림 시각을 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed the customer at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 고객을 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>%3 changed this conversation at the same time, and its value (%1) was applied. Your choice: %2</source>
        <translation>%3 같은 때에 이 대화를 바꿔, 그쪽 값(%1)이 적용되었습니다. 내가 고른 값: %2</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>someone else</source>
        <translation>다른 직원</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>another customer</source>
        <translation>다른 고객</translation>
    </message>
</context>
<context>
    <name>GroupTableModel</name>
    <message>
        <source>Open</source>
        <extracomment>The item role holding a cell&apos;s :data:`Link` (or None).</extracomment>
        <translation>열린 대화</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>미배정</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>답변 대기</translation>
    </message>
    <message>
        <source>Past
target</source>
        <translation>목표
초과</translation>
    </message>
    <message>
        <source>Longest
wait</source>
        <translation>최장
대기</translation>
    </message>
    <message>
        <source>Breaches
today</source>
        <translation>오늘
위반</translation>
    </message>
    <message>
        <source>New</source>
        <translation>신규</translation>
    </message>
    <message>
        <source>1st reply
median</source>
        <translation>첫 응답
중앙값</translation>
    </message>
    <message>
        <source>1st reply
90%</source>
        <translation>첫 응답
90%</translation>
    </message>
    <message>
        <source>Resolved
median</source>
        <translation>해결
중앙값</translation>
    </message>
    <message>
        <source>Resolved
90%</source>
        <translation>해결
90%</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Show these conversations (Enter)</source>
        <translation>이 대화들 보기 (Enter)</translation>
    </message>
</context>
<context>
    <name>HandOffDialog</name>
    <message>
        <source>Hand off</source>
        <translation>인계</translation>
    </message>
    <message>
        <source>%1 (off duty)</source>
        <translation>%1 (근무 외)</translation>
    </message>
    <message>
        <source>What they need to know (private: the customer never sees it)</source>
        <translation>인계받는 분이 알아야 할 내용 (내부 메모: 고객에게는 보이지 않습니다)</translation>
    </message>
    <message>
        <source>Hand to</source>
        <translation>인계받을 직원</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
</context>
<context>
    <name>IdentityRow</name>
    <message numerus="yes">
        <source>%1 · %n conversation(s)</source>
        <extracomment>Conversation id (str). Channel kind (str). Department chip text (str). Department colour (hex) or &quot;&quot; when untriaged. Status and date, one line (str). Contact id (str), in the merge picker. The second line of a merge candidate: channels and handles, or why it is suggested.</extracomment>
        <translation>
            <numerusform>%1 · 대화 %n건</numerusform>
        </translation>
    </message>
    <message>
        <source>Split</source>
        <translation>분리</translation>
    </message>
    <message>
        <source>Make %1 a contact of its own, with its conversations</source>
        <translation>%1 계정과 그 대화를 별도의 고객으로 분리합니다</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Sotong</source>
        <extracomment>The account error that the banner over the conversations reports. The ``last_error`` of an account whose token the leader&apos;s keyring lacks. The saved search the list shows, if it shows one. The managers&apos; dashboard, once opened (Ctrl+D).</extracomment>
        <translation>소통</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>설정</translation>
    </message>
    <message>
        <source>Dashboard: queues, response times and trends (Ctrl+D)</source>
        <translation>대시보드: 대기열, 응답 시간, 추이 (Ctrl+D)</translation>
    </message>
    <message>
        <source>Language, who uses this PC (Ctrl+,)</source>
        <translation>언어, 이 PC 사용자 (Ctrl+,)</translation>
    </message>
    <message>
        <source>Signed in as %1</source>
        <translation>%1 님으로 로그인됨</translation>
    </message>
    <message>
        <source>No member of staff chosen</source>
        <translation>직원이 선택되지 않음</translation>
    </message>
    <message>
        <source>Search names and messages  ( / )</source>
        <translation>이름·메시지 검색  ( / )</translation>
    </message>
    <message>
        <source>Latest activity</source>
        <translation>최근 활동 순</translation>
    </message>
    <message>
        <source>Longest waiting</source>
        <translation>오래 기다린 순</translation>
    </message>
    <message>
        <source>No conversations here.</source>
        <translation>표시할 대화가 없습니다.</translation>
    </message>
    <message>
        <source>On duty</source>
        <translation>근무 중</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>근무 외</translation>
    </message>
    <message>
        <source>Auto-assignment gives you conversations while you are on duty (Ctrl+Shift+D)</source>
        <translation>근무 중일 때만 자동 배정으로 상담이 들어옵니다 (Ctrl+Shift+D)</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>검색 중…</translation>
    </message>
    <message>
        <source>More than %1 found</source>
        <translation>%1건 이상 찾음</translation>
    </message>
    <message numerus="yes">
        <source>%n found</source>
        <translation>
            <numerusform>%n건 찾음</numerusform>
        </translation>
    </message>
    <message>
        <source>Department</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>%1 (me)</source>
        <translation>%1 (나)</translation>
    </message>
    <message>
        <source>Unassign</source>
        <translation>배정 해제</translation>
    </message>
    <message>
        <source>No channels connected</source>
        <translation>연결된 채널 없음</translation>
    </message>
    <message>
        <source>Channels checked by the leader</source>
        <translation>채널 확인: 리더 PC가 담당</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>연결 확인 중…</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● 온라인</translation>
    </message>
    <message>
        <source>● Offline: replies wait on this PC</source>
        <translation>● 오프라인: 답장은 이 PC에 보관 후 전송</translation>
    </message>
    <message numerus="yes">
        <source>%n replies waiting to send</source>
        <translation>
            <numerusform>답장 대기 중 %n건</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n not sent</source>
        <translation>
            <numerusform>전송 실패 %n건</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n to check</source>
        <translation>
            <numerusform>확인 필요 %n건</numerusform>
        </translation>
    </message>
    <message>
        <source>A reply to check may or may not have reached the customer (the channel&apos;s answer was lost): open its conversation and look before sending it again.</source>
        <translation>확인이 필요한 답장은 고객에게 전달되었는지 알 수 없습니다(채널의 응답이 끊겼습니다). 다시 보내기 전에 해당 대화를 열어 확인하세요.</translation>
    </message>
    <message>
        <source>Last received %1</source>
        <translation>마지막 수신 %1</translation>
    </message>
    <message>
        <source>Nothing received yet</source>
        <translation>아직 수신 없음</translation>
    </message>
    <message>
        <source>Account problem: %1</source>
        <translation>계정 오류: %1</translation>
    </message>
    <message>
        <source>Clinic server: connecting…</source>
        <translation>병원 서버: 연결 중…</translation>
    </message>
    <message>
        <source>● Clinic server online</source>
        <translation>● 병원 서버 연결됨</translation>
    </message>
    <message>
        <source>● Clinic server offline: changes wait on this PC</source>
        <translation>● 병원 서버 연결 끊김: 변경 내용은 이 PC에 보관 중</translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>%1 동기화</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>아직 동기화 전</translation>
    </message>
    <message numerus="yes">
        <source>%n changes not sent</source>
        <translation>
            <numerusform>보내지 않은 변경 %n건</numerusform>
        </translation>
    </message>
    <message>
        <source>Leader: this PC</source>
        <translation>리더: 이 PC</translation>
    </message>
    <message>
        <source>Leader: %1</source>
        <translation>리더: %1</translation>
    </message>
    <message>
        <source>Leader: none</source>
        <translation>리더: 없음</translation>
    </message>
    <message>
        <source>The leader checks the channels and sends the replies of every PC.</source>
        <translation>리더는 채널을 확인하고 모든 PC의 답장을 보냅니다.</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Keep this search in the navigation pane (Ctrl+Shift+S)</source>
        <translation>이 검색을 왼쪽 목록에 저장합니다 (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>대시보드</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Merge contacts</source>
        <translation>고객 병합</translation>
    </message>
    <message>
        <source>Who is the same person as “%1”?</source>
        <translation>“%1” 고객과 같은 사람을 선택하세요.</translation>
    </message>
    <message>
        <source>Search by name, phone number or handle</source>
        <translation>이름, 전화번호, 계정 ID로 검색</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Next…</source>
        <translation>다음…</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>뒤로</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>병합</translation>
    </message>
    <message>
        <source>Likely the same person:</source>
        <translation>같은 사람일 가능성이 있는 고객:</translation>
    </message>
    <message>
        <source>No likely duplicates.</source>
        <translation>같은 사람으로 보이는 고객이 없습니다.</translation>
    </message>
    <message>
        <source>Same phone number %1</source>
        <translation>같은 전화번호 %1</translation>
    </message>
    <message>
        <source>Same e-mail address %1</source>
        <translation>같은 이메일 주소 %1</translation>
    </message>
    <message>
        <source>Same name on another channel</source>
        <translation>다른 채널에 같은 이름</translation>
    </message>
    <message>
        <source>No contact matches.</source>
        <translation>일치하는 고객이 없습니다.</translation>
    </message>
    <message numerus="yes">
        <source>“%1” (%2) will be merged into “%3”.

Its channel accounts and %n conversation(s) move to “%3”, and its notes are added to “%3”&apos;s. “%1” no longer appears as a separate contact.

If this was a mistake, split the channel off again with “Split”.</source>
        <translation>
            <numerusform>“%1” (%2) 고객이 “%3” 고객으로 병합됩니다.

“%1”의 채널 계정과 대화 %n건이 “%3”(으)로 옮겨지고, 메모는 “%3”의 메모에 덧붙여집니다. 이후 “%1”은(는) 별도의 고객으로 표시되지 않습니다.

잘못 병합했다면 해당 채널의 “분리” 버튼으로 되돌릴 수 있습니다.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation>닫기</translation>
    </message>
</context>
<context>
    <name>NavigationModel</name>
    <message>
        <source>Saved searches</source>
        <extracomment>The entry&apos;s :class:`View` value (str), or &quot;&quot; for a heading. Department code or channel kind for those views, else &quot;&quot;. The number of conversations, or -1 while unknown. Colour (hex) of a department entry, else &quot;&quot;. True for the non-selectable section headings. Channel kind whose icon the entry shows, else &quot;&quot;. True for a saved search shared with the whole clinic. Waiting conversations past their SLA target (departments, untriaged, all open), else 0. The ViewRole of a saved search entry (its ValueRole is the saved search&apos;s id).</extracomment>
        <translation>저장한 검색</translation>
    </message>
    <message>
        <source>Shared with everyone</source>
        <translation>모두와 공유</translation>
    </message>
    <message>
        <source>Only you</source>
        <translation>나만 보기</translation>
    </message>
</context>
<context>
    <name>OperatorTableModel</name>
    <message>
        <source>Staff</source>
        <translation>직원</translation>
    </message>
    <message>
        <source>On duty</source>
        <translation>근무 중</translation>
    </message>
    <message>
        <source>Assigned open</source>
        <translation>담당 중</translation>
    </message>
    <message>
        <source>Replies today</source>
        <translation>오늘 답장</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>예</translation>
    </message>
    <message>
        <source>No</source>
        <translation>아니요</translation>
    </message>
    <message>
        <source>Assigned to %1</source>
        <translation>%1 담당</translation>
    </message>
</context>
<context>
    <name>ReconnectDialog</name>
    <message>
        <source>Reconnect %1</source>
        <translation>%1 다시 연결</translation>
    </message>
    <message>
        <source>Enter the token of %1</source>
        <translation>%1 토큰 입력</translation>
    </message>
    <message>
        <source>This PC has no token for “%1” (it was connected on another computer). Enter it to keep it in this PC&apos;s password store; it never leaves this PC.</source>
        <translation>이 PC에는 “%1”의 토큰이 없습니다(다른 컴퓨터에서 연결한 계정입니다). 입력하면 이 PC의 암호 저장소에만 보관되며, 이 PC 밖으로 나가지 않습니다.</translation>
    </message>
    <message>
        <source>Enter the new token or password for “%1”. Conversations and settings stay as they are.</source>
        <translation>“%1”의 새 토큰이나 비밀번호를 입력하세요. 대화와 설정은 그대로 유지됩니다.</translation>
    </message>
    <message>
        <source>Token or password</source>
        <translation>토큰 또는 비밀번호</translation>
    </message>
    <message>
        <source>Enter the new token or password.</source>
        <translation>새 토큰이나 비밀번호를 입력하세요.</translation>
    </message>
</context>
<context>
    <name>RoutingPanel</name>
    <message>
        <source>Add…</source>
        <extracomment>Opens the rule editor; tests replace it to fill the dialog themselves.</extracomment>
        <translation>추가…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>편집…</translation>
    </message>
    <message>
        <source>Up</source>
        <translation>위로</translation>
    </message>
    <message>
        <source>Try this rule earlier (Alt+Up)</source>
        <translation>이 규칙을 먼저 적용 (Alt+↑)</translation>
    </message>
    <message>
        <source>Down</source>
        <translation>아래로</translation>
    </message>
    <message>
        <source>Try this rule later (Alt+Down)</source>
        <translation>이 규칙을 나중에 적용 (Alt+↓)</translation>
    </message>
    <message>
        <source>Turn off</source>
        <translation>끄기</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Rules are tried from the top; the first that matches decides the department. Keys: Enter edits, Space turns on or off, Alt+Up/Down moves, Delete deletes.</source>
        <translation>규칙은 위에서부터 차례로 확인하며, 처음 맞는 규칙이 부서를 정합니다. 키: Enter 편집, Space 켜기/끄기, Alt+↑/↓ 순서 변경, Delete 삭제.</translation>
    </message>
    <message>
        <source>Your role may look at the rules but not change them.</source>
        <translation>현재 역할로는 규칙을 볼 수만 있고 바꿀 수는 없습니다.</translation>
    </message>
    <message>
        <source>Automatic sorting</source>
        <translation>자동 분류</translation>
    </message>
    <message>
        <source>When no rule matches, the classifier guesses the department. From this confidence on, its guess is applied at once; below it, the guess is only suggested and staff decide. Lower means more automatic sorting and more mistakes; 100% means it only ever suggests. Shared by every PC of the clinic.</source>
        <translation>맞는 규칙이 없으면 분류기가 부서를 추정합니다. 확신도가 이 값 이상이면 바로 지정하고, 그보다 낮으면 제안만 하고 직원이 결정합니다. 낮출수록 자동 분류가 늘지만 잘못 분류될 수도 있고, 100%면 제안만 합니다. 병원의 모든 PC에 함께 적용됩니다.</translation>
    </message>
    <message>
        <source>Apply automatically from</source>
        <translation>자동 지정 기준</translation>
    </message>
    <message>
        <source>Try a message</source>
        <translation>메시지로 시험해 보기</translation>
    </message>
    <message>
        <source>Type a message as a customer would write it…</source>
        <translation>고객이 보낼 법한 메시지를 입력하세요…</translation>
    </message>
    <message>
        <source>Any channel</source>
        <translation>모든 채널</translation>
    </message>
    <message>
        <source>Try</source>
        <translation>시험</translation>
    </message>
    <message>
        <source>Turn on</source>
        <translation>켜기</translation>
    </message>
    <message>
        <source>Delete the rule “%1”? Conversations it sorted keep their department.</source>
        <translation>규칙 “%1”을(를) 삭제할까요? 이 규칙으로 분류된 대화의 부서는 그대로 유지됩니다.</translation>
    </message>
    <message>
        <source>Delete rule</source>
        <translation>규칙 삭제</translation>
    </message>
    <message>
        <source>Type a message first.</source>
        <translation>먼저 메시지를 입력하세요.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>확인하는 중…</translation>
    </message>
</context>
<context>
    <name>RuleDialog</name>
    <message>
        <source>Edit rule</source>
        <translation>규칙 편집</translation>
    </message>
    <message>
        <source>New rule</source>
        <translation>새 규칙</translation>
    </message>
    <message>
        <source>On</source>
        <translation>사용</translation>
    </message>
    <message>
        <source>When a new conversation&apos;s first message…</source>
        <translation>새 대화의 첫 메시지가…</translation>
    </message>
    <message>
        <source>Any account</source>
        <translation>모든 계정</translation>
    </message>
    <message>
        <source>e.g. 쌍수, 쌍꺼풀, 눈매교정</source>
        <translation>예: 쌍수, 쌍꺼풀, 눈매교정</translation>
    </message>
    <message>
        <source>e.g. 실비, 서류</source>
        <translation>예: 실비, 서류</translation>
    </message>
    <message>
        <source>e.g. 010-?\d{4}-?\d{4}</source>
        <translation>예: 010-?\d{4}-?\d{4}</translation>
    </message>
    <message>
        <source>Handles on the channel, e.g. @minji</source>
        <translation>채널의 고객 아이디, 예: @minji</translation>
    </message>
    <message>
        <source>comes in on</source>
        <translation>들어온 채널</translation>
    </message>
    <message>
        <source>through the account</source>
        <translation>들어온 계정</translation>
    </message>
    <message>
        <source>contains any of</source>
        <translation>다음 중 하나라도 포함</translation>
    </message>
    <message>
        <source>contains all of</source>
        <translation>다음을 모두 포함</translation>
    </message>
    <message>
        <source>matches the regular expression</source>
        <translation>정규식과 일치</translation>
    </message>
    <message>
        <source>is from the contact</source>
        <translation>보낸 고객</translation>
    </message>
    <message>
        <source>…then</source>
        <translation>…이면</translation>
    </message>
    <message>
        <source>e.g. 서류, VIP</source>
        <translation>예: 서류, VIP</translation>
    </message>
    <message>
        <source>Leave as it is</source>
        <translation>바꾸지 않음</translation>
    </message>
    <message>
        <source>Nobody (assignment decides)</source>
        <translation>지정 안 함 (배정 규칙에 따름)</translation>
    </message>
    <message>
        <source>send it to</source>
        <translation>보낼 부서</translation>
    </message>
    <message>
        <source>add labels</source>
        <translation>붙일 라벨</translation>
    </message>
    <message>
        <source>set priority</source>
        <translation>우선순위</translation>
    </message>
    <message>
        <source>assign to</source>
        <translation>담당자</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>(no longer a member of staff)</source>
        <translation>(더 이상 직원 명단에 없음)</translation>
    </message>
    <message>
        <source>The regular expression is valid.</source>
        <translation>올바른 정규식입니다.</translation>
    </message>
</context>
<context>
    <name>RuleListModel</name>
    <message>
        <source>%1. %2 — not valid, never fires (%3)</source>
        <translation>%1. %2 — 올바르지 않아 적용되지 않음 (%3)</translation>
    </message>
    <message>
        <source>(off)</source>
        <translation>(꺼짐)</translation>
    </message>
</context>
<context>
    <name>RuleTexts</name>
    <message>
        <source>The regular expression is not valid near character %1. Check brackets and special characters such as ( ) [ ] + * ?.</source>
        <extracomment>The rule&apos;s id (str). Whether the rule is on (bool). Quiet time after the threshold moves before it is saved. What &quot;try a message&quot; found: the decision, the threshold, who would be assigned, staff names.</extracomment>
        <translation>정규식의 %1번째 글자 근처가 올바르지 않습니다. 괄호와 ( ) [ ] + * ? 같은 특수 문자를 확인하세요.</translation>
    </message>
    <message>
        <source>The regular expression is too long (at most %1 characters).</source>
        <translation>정규식이 너무 깁니다(최대 %1자).</translation>
    </message>
    <message>
        <source>The regular expression could take very long on some messages (nested repetition such as (a+)+). Write it more simply.</source>
        <translation>이 정규식은 어떤 메시지에서는 확인에 아주 오래 걸릴 수 있습니다((a+)+ 같은 중첩 반복). 더 간단하게 작성하세요.</translation>
    </message>
    <message>
        <source>Set at least one condition: a channel, an account, keywords, a pattern or a contact.</source>
        <translation>조건을 하나 이상 정하세요: 채널, 계정, 키워드, 정규식, 고객 중 하나.</translation>
    </message>
    <message>
        <source>Choose the department the rule sends messages to.</source>
        <translation>규칙이 메시지를 보낼 부서를 고르세요.</translation>
    </message>
    <message>
        <source>A label must be 1 to 40 characters on one line.</source>
        <translation>라벨은 한 줄로 1~40자여야 합니다.</translation>
    </message>
    <message>
        <source>The assignee is no longer a member of staff. Choose another.</source>
        <translation>지정한 담당자가 더 이상 직원 목록에 없습니다. 다른 담당자를 고르세요.</translation>
    </message>
    <message>
        <source>Another rule already has this name. Choose a different name.</source>
        <translation>같은 이름의 규칙이 이미 있습니다. 다른 이름을 정하세요.</translation>
    </message>
    <message>
        <source>Give the rule a name of 1 to 80 characters.</source>
        <translation>규칙 이름을 1~80자로 입력하세요.</translation>
    </message>
    <message>
        <source>The rule&apos;s “%1” is not valid.</source>
        <translation>규칙의 “%1” 값이 올바르지 않습니다.</translation>
    </message>
    <message>
        <source>Channel: %1</source>
        <translation>채널: %1</translation>
    </message>
    <message>
        <source>Accounts: %1</source>
        <translation>계정: %1개</translation>
    </message>
    <message>
        <source>Any of the words: %1</source>
        <translation>다음 중 하나라도 포함: %1</translation>
    </message>
    <message>
        <source>All of the words: %1</source>
        <translation>다음을 모두 포함: %1</translation>
    </message>
    <message>
        <source>Regular expression: %1</source>
        <translation>정규식: %1</translation>
    </message>
    <message>
        <source>Contact: %1</source>
        <translation>고객: %1</translation>
    </message>
    <message>
        <source>Adds labels: %1</source>
        <translation>라벨 추가: %1</translation>
    </message>
    <message>
        <source>Sets priority: %1</source>
        <translation>우선순위 지정: %1</translation>
    </message>
    <message>
        <source>Low</source>
        <translation>낮음</translation>
    </message>
    <message>
        <source>Normal</source>
        <translation>보통</translation>
    </message>
    <message>
        <source>High</source>
        <translation>높음</translation>
    </message>
    <message>
        <source>Urgent</source>
        <translation>긴급</translation>
    </message>
    <message>
        <source>Assigned to %1, as the rule says.</source>
        <translation>규칙에 따라 %1 님에게 배정됩니다.</translation>
    </message>
    <message>
        <source>Assigned to %1 (in turn among the staff on duty).</source>
        <translation>%1 님에게 배정됩니다 (근무 중인 담당자 순번).</translation>
    </message>
    <message>
        <source>Assigned to %1 (the fewest open conversations).</source>
        <translation>%1 님에게 배정됩니다 (진행 중인 상담이 가장 적은 담당자).</translation>
    </message>
    <message>
        <source>Nobody is on duty for %1: it waits unassigned in the queue.</source>
        <translation>%1에 근무 중인 담당자가 없어 미배정으로 대기열에서 기다립니다.</translation>
    </message>
    <message>
        <source>%1 does not assign automatically: it waits unassigned in the queue.</source>
        <translation>%1은(는) 자동 배정을 하지 않아 미배정으로 대기열에서 기다립니다.</translation>
    </message>
    <message>
        <source>This assignee is no longer a member of staff, so the rule does not assign to them.</source>
        <translation>이 담당자는 더 이상 직원 명단에 없어서 규칙이 배정하지 않습니다.</translation>
    </message>
    <message>
        <source>This assignee is not in %1, so the rule does not assign to them; %1&apos;s own assignment decides.</source>
        <translation>이 담당자는 %1 소속이 아니어서 규칙이 배정하지 않습니다. %1의 배정 방식이 정합니다.</translation>
    </message>
    <message>
        <source>This assignee is off duty now. While they are off duty, %1&apos;s own assignment decides.</source>
        <translation>이 담당자는 지금 근무 중이 아닙니다. 근무 중이 아닌 동안에는 %1의 배정 방식이 정합니다.</translation>
    </message>
    <message>
        <source>The rule names %1, who is no longer a member of staff: it does not assign to them.</source>
        <translation>규칙에 지정된 %1 님은 더 이상 직원 명단에 없어서 규칙이 배정하지 않습니다.</translation>
    </message>
    <message>
        <source>The rule names %1, who is not in %2: it does not assign to them.</source>
        <translation>규칙에 지정된 %1 님은 %2 소속이 아니어서 규칙이 배정하지 않습니다.</translation>
    </message>
    <message>
        <source>The rule names %1, who is off duty now: %2&apos;s own assignment decides.</source>
        <translation>규칙에 지정된 %1 님은 지금 근무 중이 아니어서 %2의 배정 방식이 정합니다.</translation>
    </message>
    <message>
        <source>Rule %1 “%2” fires → %3.</source>
        <translation>%1번 규칙 “%2”이(가) 적용됩니다 → %3.</translation>
    </message>
    <message>
        <source>Channel matches: %1</source>
        <translation>채널 일치: %1</translation>
    </message>
    <message>
        <source>Account matches.</source>
        <translation>계정 일치.</translation>
    </message>
    <message>
        <source>Contact matches: %1</source>
        <translation>고객 일치: %1</translation>
    </message>
    <message>
        <source>Word found: %1</source>
        <translation>키워드 발견: %1</translation>
    </message>
    <message>
        <source>All words found: %1</source>
        <translation>키워드 모두 발견: %1</translation>
    </message>
    <message>
        <source>Regular expression matched %1</source>
        <translation>정규식 일치: %1</translation>
    </message>
    <message>
        <source> (characters %1–%2)</source>
        <translation> (%1–%2번째 글자)</translation>
    </message>
    <message>
        <source>No rule matches. The classifier proposes %1 (%2 sure).</source>
        <translation>맞는 규칙이 없습니다. 분류기 제안: %1 (확신도 %2).</translation>
    </message>
    <message>
        <source>At the threshold of %1 it would be applied automatically.</source>
        <translation>기준 %1 이상이므로 자동으로 지정됩니다.</translation>
    </message>
    <message>
        <source>Below the threshold of %1: it would only be suggested to staff.</source>
        <translation>기준 %1 미만이므로 직원에게 제안만 합니다.</translation>
    </message>
</context>
<context>
    <name>SaveSearchDialog</name>
    <message>
        <source>Save search</source>
        <extracomment>Asks for a text: ``(title, label, current) -&gt; new text, or None if cancelled``. Asks a yes/no question: ``(title, text) -&gt; yes``. Asks for a new saved search: ``(suggested name, may share) -&gt; (name, shared) or None``.</extracomment>
        <translation>검색 저장</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>검색어</translation>
    </message>
    <message>
        <source>Share with everyone at the clinic</source>
        <translation>병원 직원 모두와 공유</translation>
    </message>
</context>
<context>
    <name>SavedSearches</name>
    <message>
        <source>Rename saved search</source>
        <extracomment>The saved search just saved, selected once the list shows it.</extracomment>
        <translation>저장한 검색 이름 바꾸기</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Delete the saved search “%1”? Conversations are not affected.</source>
        <translation>저장한 검색 “%1”을(를) 삭제할까요? 대화는 그대로 남습니다.</translation>
    </message>
    <message>
        <source>Delete saved search</source>
        <translation>저장한 검색 삭제</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>이름 바꾸기…</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>위로 이동</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>아래로 이동</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>삭제…</translation>
    </message>
</context>
<context>
    <name>ServerLink</name>
    <message>
        <source>Clinic server</source>
        <extracomment>While the server cannot be reached, try to open it again this often. A sync round this long after the last local change (a burst of edits makes one round). A sync round at least this often, hints or not (a NOTIFY is only a hint). Seconds the hint thread waits for a NOTIFY before looking again. Seconds between a standby&apos;s attempts at the leader lock. Where the first-copy dialog opens (the main window sets itself).</extracomment>
        <translation>병원 서버</translation>
    </message>
    <message>
        <source>Continue in the background</source>
        <translation>백그라운드에서 계속</translation>
    </message>
    <message>
        <source>Merging this PC&apos;s %1 conversations into the clinic server…</source>
        <translation>이 PC의 대화 %1건을 서버에 합칩니다…</translation>
    </message>
    <message>
        <source>%1 of %2 conversations</source>
        <translation>대화 %2건 중 %1건</translation>
    </message>
    <message>
        <source>A copy of this PC&apos;s data was saved first. The clinic&apos;s other PCs will see these conversations, replies waiting to be sent are sent once by the leader, and then this PC gets the clinic&apos;s conversations.</source>
        <translation>이 PC의 데이터는 먼저 백업 파일로 저장해 두었습니다. 합친 대화는 다른 PC에서도 보이고, 보내기를 기다리던 답장은 리더가 한 번만 보냅니다. 그다음 이 PC로 병원 전체 대화를 받아옵니다.</translation>
    </message>
    <message>
        <source>The demo&apos;s %1 practice conversations stay out of the clinic server.</source>
        <translation>데모(연습용) 대화 %1건은 서버로 보내지 않습니다.</translation>
    </message>
    <message>
        <source>Copying the clinic&apos;s conversations from the clinic server to this PC…</source>
        <translation>병원 서버의 대화를 이 PC로 복사하는 중…</translation>
    </message>
    <message>
        <source>%1 of %2 rows</source>
        <translation>%2행 중 %1행</translation>
    </message>
    <message>
        <source>You can close this window: the copy goes on in the background. If Sotong is closed before it finishes, it starts again next time. Nothing is lost: changes made on this PC are sent to the server first.</source>
        <translation>이 창을 닫아도 복사는 백그라운드에서 계속됩니다. 끝나기 전에 소통을 종료하면 다음 실행 때 처음부터 다시 복사합니다. 이 PC에서 바꾼 내용은 먼저 서버로 보내므로 잃어버리는 것은 없습니다.</translation>
    </message>
    <message>
        <source>The first copy from the clinic server stopped: the server could not be reached. Sotong tries again; this PC keeps working meanwhile.</source>
        <translation>병원 서버에서 처음 복사하던 중 서버에 연결할 수 없어 멈췄습니다. 소통이 다시 시도하며, 그동안 이 PC는 계속 사용할 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>ServerPanel</name>
    <message>
        <source>Use the clinic server</source>
        <extracomment>The settings as last saved (what the dialog&apos;s OK keeps).</extracomment>
        <translation>병원 서버 사용</translation>
    </message>
    <message>
        <source>e.g. 192.168.0.10 or sotong-server</source>
        <translation>예: 192.168.0.10 또는 sotong-server</translation>
    </message>
    <message>
        <source>Off (trusted clinic network only)</source>
        <translation>사용 안 함 (신뢰할 수 있는 병원 내부망에서만)</translation>
    </message>
    <message>
        <source>Encrypted</source>
        <translation>암호화</translation>
    </message>
    <message>
        <source>Encrypted, certificate checked</source>
        <translation>암호화, 인증서 확인</translation>
    </message>
    <message>
        <source>The clinic&apos;s CA certificate (.pem, .crt)</source>
        <translation>병원 CA 인증서 (.pem, .crt)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>서버 주소</translation>
    </message>
    <message>
        <source>Port</source>
        <translation>포트</translation>
    </message>
    <message>
        <source>Database</source>
        <translation>데이터베이스</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>사용자 이름</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>비밀번호</translation>
    </message>
    <message>
        <source>Secure connection (TLS)</source>
        <translation>보안 연결 (TLS)</translation>
    </message>
    <message>
        <source>CA file</source>
        <translation>CA 파일</translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation>연결 테스트</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>저장</translation>
    </message>
    <message>
        <source>Every PC of the clinic shares conversations, drafts and replies through the clinic server. Without it this PC works alone. The password is kept only in this PC&apos;s secure password store.</source>
        <translation>병원의 모든 PC는 병원 서버를 통해 대화, 임시 저장 답장, 보낸 답장을 함께 씁니다. 서버가 없으면 이 PC 혼자 동작합니다. 비밀번호는 이 PC의 안전한 암호 저장소에만 보관됩니다.</translation>
    </message>
    <message>
        <source>The clinic&apos;s CA certificate</source>
        <translation>병원 CA 인증서</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>인증서 (*.pem *.crt *.cer);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>Saved on this PC; type to replace</source>
        <translation>이 PC에 저장됨. 바꾸려면 새로 입력하세요</translation>
    </message>
    <message>
        <source>Kept only in this PC&apos;s password store</source>
        <translation>이 PC의 암호 저장소에만 보관됩니다</translation>
    </message>
    <message>
        <source>Connecting to the clinic server…</source>
        <translation>병원 서버에 연결하는 중…</translation>
    </message>
    <message>
        <source>Saved. This PC now works with the clinic server.</source>
        <translation>저장했습니다. 이제 이 PC는 병원 서버와 함께 동작합니다.</translation>
    </message>
    <message>
        <source>Saved. This PC works alone, without the clinic server.</source>
        <translation>저장했습니다. 이 PC는 병원 서버 없이 혼자 동작합니다.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <extracomment>Language choices: the setting&apos;s value and the name shown (languages name themselves). Names of the tabs, for :meth:`SettingsDialog.show_tab`.</extracomment>
        <translation>설정</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>시스템 설정 따르기</translation>
    </message>
    <message>
        <source> s</source>
        <translation>초</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>언어</translation>
    </message>
    <message>
        <source>Who uses this PC</source>
        <translation>이 PC 사용자</translation>
    </message>
    <message>
        <source>Check channels every</source>
        <translation>채널 확인 주기</translation>
    </message>
    <message>
        <source>General</source>
        <translation>일반</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Routing</source>
        <translation>라우팅</translation>
    </message>
    <message>
        <source>Canned responses</source>
        <translation>상용구</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>직원</translation>
    </message>
    <message>
        <source>Clinic server</source>
        <translation>병원 서버</translation>
    </message>
    <message>
        <source>SLA</source>
        <translation>응답 목표</translation>
    </message>
</context>
<context>
    <name>SlaPanel</name>
    <message>
        <source>Response targets (business minutes)</source>
        <translation>응답 목표 (진료 시간 기준, 분)</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>모든 진료과</translation>
    </message>
    <message>
        <source>All channels</source>
        <translation>모든 채널</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 분</translation>
    </message>
    <message>
        <source>Save target</source>
        <translation>목표 저장</translation>
    </message>
    <message>
        <source>Remove target</source>
        <translation>목표 삭제</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>First response within</source>
        <translation>첫 응답 목표</translation>
    </message>
    <message>
        <source>Next response within</source>
        <translation>다음 응답 목표</translation>
    </message>
    <message>
        <source>A channel&apos;s own target comes before a department&apos;s; the row for all departments and all channels is the clinic default.</source>
        <translation>채널별 목표가 진료과 목표보다 우선합니다. 모든 진료과·모든 채널 행이 병원 기본값입니다.</translation>
    </message>
    <message>
        <source>Business hours</source>
        <translation>진료 시간</translation>
    </message>
    <message>
        <source>Monday</source>
        <translation>월요일</translation>
    </message>
    <message>
        <source>Tuesday</source>
        <translation>화요일</translation>
    </message>
    <message>
        <source>Wednesday</source>
        <translation>수요일</translation>
    </message>
    <message>
        <source>Thursday</source>
        <translation>목요일</translation>
    </message>
    <message>
        <source>Friday</source>
        <translation>금요일</translation>
    </message>
    <message>
        <source>Saturday</source>
        <translation>토요일</translation>
    </message>
    <message>
        <source>Sunday</source>
        <translation>일요일</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>진료</translation>
    </message>
    <message>
        <source>From</source>
        <translation>시작</translation>
    </message>
    <message>
        <source>To</source>
        <translation>종료</translation>
    </message>
    <message>
        <source>Lunch break</source>
        <translation>점심시간</translation>
    </message>
    <message>
        <source>Closed on Korean public holidays</source>
        <translation>공휴일 휴진</translation>
    </message>
    <message>
        <source>Save hours</source>
        <translation>진료 시간 저장</translation>
    </message>
    <message>
        <source>The clinic&apos;s own days</source>
        <translation>병원 지정일</translation>
    </message>
    <message>
        <source>Note (e.g. summer break)</source>
        <translation>메모 (예: 여름 휴가)</translation>
    </message>
    <message>
        <source>Add closed day</source>
        <translation>휴진일 추가</translation>
    </message>
    <message>
        <source>Open on this holiday</source>
        <translation>이 공휴일 진료</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>삭제</translation>
    </message>
    <message>
        <source>Opening hours must end after they start, with lunch inside them.</source>
        <translation>진료 종료 시간은 시작 시간보다 늦어야 하고, 점심시간은 진료 시간 안에 있어야 합니다.</translation>
    </message>
</context>
<context>
    <name>Staff</name>
    <message>
        <source>Front desk</source>
        <extracomment>The member of staff&apos;s id on every cell.</extracomment>
        <translation>원무</translation>
    </message>
    <message>
        <source>Coordinator</source>
        <translation>상담실장</translation>
    </message>
    <message>
        <source>Manager</source>
        <translation>매니저</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>관리자</translation>
    </message>
    <message>
        <source>Nobody automatically</source>
        <translation>자동 배정 안 함</translation>
    </message>
    <message>
        <source>In turn (round robin)</source>
        <translation>차례대로 (순번제)</translation>
    </message>
    <message>
        <source>Fewest open conversations</source>
        <translation>진행 중 상담이 가장 적은 직원</translation>
    </message>
</context>
<context>
    <name>StaffPanel</name>
    <message>
        <source>On duty</source>
        <translation>근무 중</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Name of the new member of staff</source>
        <translation>새 직원 이름</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>추가</translation>
    </message>
    <message>
        <source>Who gets a department&apos;s new conversations</source>
        <translation>진료과별 새 상담 배정</translation>
    </message>
    <message>
        <source>Only staff on duty for the department are given conversations; when nobody is, they wait in its queue and are handed out when someone comes on duty.</source>
        <translation>해당 진료과의 근무 중인 직원에게만 배정됩니다. 근무 중인 직원이 없으면 대기열에서 기다리다가 누군가 근무를 시작하면 배정됩니다.</translation>
    </message>
</context>
<context>
    <name>StaffTableModel</name>
    <message>
        <source>Name</source>
        <translation>이름</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>역할</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>On duty</source>
        <translation>근무 중</translation>
    </message>
    <message>
        <source>Off duty</source>
        <translation>근무 외</translation>
    </message>
</context>
<context>
    <name>TargetsModel</name>
    <message>
        <source>Department</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>First response</source>
        <translation>첫 응답</translation>
    </message>
    <message>
        <source>Next response</source>
        <translation>다음 응답</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>모든 진료과</translation>
    </message>
    <message>
        <source>All channels</source>
        <translation>모든 채널</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n}분</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message>
        <source>All open</source>
        <translation>전체 열린 대화</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>내 담당</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <translation>미배정</translation>
    </message>
    <message>
        <source>Untriaged</source>
        <translation>미분류</translation>
    </message>
    <message>
        <source>Snoozed</source>
        <translation>보류</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>해결됨</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>채널</translation>
    </message>
    <message>
        <source>Facebook</source>
        <translation>페이스북</translation>
    </message>
    <message>
        <source>Instagram</source>
        <translation>인스타그램</translation>
    </message>
    <message>
        <source>X</source>
        <translation>X</translation>
    </message>
    <message>
        <source>KakaoTalk</source>
        <translation>카카오톡</translation>
    </message>
    <message>
        <source>Naver TalkTalk</source>
        <translation>네이버 톡톡</translation>
    </message>
    <message>
        <source>LINE</source>
        <translation>라인</translation>
    </message>
    <message>
        <source>Telegram</source>
        <translation>텔레그램</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>이메일</translation>
    </message>
    <message>
        <source>Text message</source>
        <translation>문자</translation>
    </message>
    <message>
        <source>Web form</source>
        <translation>홈페이지 문의</translation>
    </message>
    <message>
        <source>Demo</source>
        <translation>데모</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>진행 중</translation>
    </message>
    <message>
        <source>Waiting on customer</source>
        <translation>고객 답변 대기</translation>
    </message>
    <message>
        <source>Waiting to send, will retry ({reason})</source>
        <translation>전송 대기 중, 다시 시도 예정 ({reason})</translation>
    </message>
    <message>
        <source>Waiting to send</source>
        <translation>전송 대기 중</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>전송 중…</translation>
    </message>
    <message>
        <source>Not sent: {reason}</source>
        <translation>전송 실패: {reason}</translation>
    </message>
    <message>
        <source>Sending uncertain: check on the channel before sending again</source>
        <translation>전송 여부 확인 필요: 다시 보내기 전에 채널에서 확인하세요</translation>
    </message>
    <message>
        <source>Something unexpected went wrong ({name}). Please try again.</source>
        <translation>예상하지 못한 오류가 발생했습니다({name}). 다시 시도해 주세요.</translation>
    </message>
    <message>
        <source>The request could not be completed.</source>
        <translation>요청을 처리하지 못했습니다.</translation>
    </message>
    <message>
        <source>That item no longer exists. It may have been deleted.</source>
        <translation>해당 항목이 없습니다. 삭제되었을 수 있습니다.</translation>
    </message>
    <message>
        <source>This conversation could not be found. It may have been deleted or not yet synchronised to this PC.</source>
        <translation>대화를 찾을 수 없습니다. 삭제되었거나 아직 이 PC에 동기화되지 않았을 수 있습니다.</translation>
    </message>
    <message>
        <source>That member of staff could not be found.</source>
        <translation>해당 직원을 찾을 수 없습니다.</translation>
    </message>
    <message>
        <source>That other version of the draft is gone: it was already restored or removed.</source>
        <translation>초안의 다른 버전이 없습니다. 이미 복원했거나 버린 버전입니다.</translation>
    </message>
    <message>
        <source>That change was already put back or dismissed.</source>
        <translation>이미 되돌렸거나 확인한 변경입니다.</translation>
    </message>
    <message>
        <source>The value entered is not valid.</source>
        <translation>입력한 값이 올바르지 않습니다.</translation>
    </message>
    <message>
        <source>There is no department called “{department}”.</source>
        <translation>‘{department}’ 진료과가 없습니다.</translation>
    </message>
    <message>
        <source>Write a reply before sending.</source>
        <translation>보낼 답장 내용을 입력하세요.</translation>
    </message>
    <message>
        <source>The reply is too long: {length} characters. Shorten it to {max_chars} or fewer.</source>
        <translation>답장이 너무 깁니다({length}자). {max_chars}자 이하로 줄여 주세요.</translation>
    </message>
    <message>
        <source>Write something in the note first.</source>
        <translation>메모 내용을 입력하세요.</translation>
    </message>
    <message>
        <source>A label must be 1 to {max_chars} characters on one line.</source>
        <translation>라벨은 줄바꿈 없이 1~{max_chars}자로 입력하세요.</translation>
    </message>
    <message>
        <source>That status cannot be set here.</source>
        <translation>이 상태로는 변경할 수 없습니다.</translation>
    </message>
    <message>
        <source>Choose a snooze time in the future.</source>
        <translation>보류 시간은 현재 이후로 선택하세요.</translation>
    </message>
    <message>
        <source>Could not save on this PC. Check the free disk space and permissions. ({reason})</source>
        <translation>이 PC에 저장하지 못했습니다. 디스크 여유 공간과 권한을 확인하세요. ({reason})</translation>
    </message>
    <message>
        <source>The clinic server cannot be reached. Changes are kept on this PC and sent when it is back.</source>
        <translation>병원 서버에 연결할 수 없습니다. 변경 내용은 이 PC에 보관되었다가 연결되면 전송됩니다.</translation>
    </message>
    <message>
        <source>Sotong does not know the channel “{kind}”.</source>
        <translation>소통에서 지원하지 않는 채널입니다: “{kind}”.</translation>
    </message>
    <message>
        <source>This version of Sotong has no connector called “{connector}”.</source>
        <translation>이 버전의 소통에는 “{connector}” 연결 방식이 없습니다.</translation>
    </message>
    <message>
        <source>This account is already connected (same connector and id on the channel).</source>
        <translation>이미 연결된 계정입니다. (연결 방식과 채널 ID가 같은 계정이 있습니다)</translation>
    </message>
    <message>
        <source>That channel account no longer exists.</source>
        <translation>해당 채널 계정이 더 이상 없습니다.</translation>
    </message>
    <message>
        <source>Your role does not allow this. Ask a manager or the administrator.</source>
        <translation>현재 역할로는 할 수 없는 작업입니다. 실장님이나 관리자에게 요청하세요.</translation>
    </message>
    <message>
        <source>The clinic needs at least one administrator: make someone else one first.</source>
        <translation>관리자가 한 명은 있어야 합니다. 먼저 다른 직원을 관리자로 지정하세요.</translation>
    </message>
    <message>
        <source>The routing rule is not valid ({field}).</source>
        <translation>라우팅 규칙이 올바르지 않습니다({field}).</translation>
    </message>
    <message>
        <source>The routing rule&apos;s regular expression is not valid.</source>
        <translation>라우팅 규칙의 정규식이 올바르지 않습니다.</translation>
    </message>
    <message>
        <source>The routing rule&apos;s regular expression is too long or too slow.</source>
        <translation>라우팅 규칙의 정규식이 너무 길거나 확인에 너무 오래 걸립니다.</translation>
    </message>
    <message>
        <source>A routing rule needs at least one condition.</source>
        <translation>라우팅 규칙에는 조건이 하나 이상 있어야 합니다.</translation>
    </message>
    <message>
        <source>That routing rule no longer exists.</source>
        <translation>해당 라우팅 규칙이 더 이상 없습니다.</translation>
    </message>
    <message>
        <source>That canned response no longer exists.</source>
        <translation>해당 상용구가 더 이상 없습니다.</translation>
    </message>
    <message>
        <source>The canned response is not valid ({field}).</source>
        <translation>상용구가 올바르지 않습니다({field}).</translation>
    </message>
    <message>
        <source>Another computer now fetches and sends messages for the clinic; this one has stopped doing so.</source>
        <translation>이제 다른 컴퓨터가 병원 메시지의 수신과 발송을 맡고 있어, 이 컴퓨터는 해당 작업을 멈췄습니다.</translation>
    </message>
    <message>
        <source>That contact could not be found. It may not be synchronised to this PC yet.</source>
        <translation>고객을 찾을 수 없습니다. 아직 이 PC에 동기화되지 않았을 수 있습니다.</translation>
    </message>
    <message>
        <source>That channel account is no longer part of this contact.</source>
        <translation>이 채널 계정은 더 이상 이 고객에 연결되어 있지 않습니다.</translation>
    </message>
    <message>
        <source>These two are already the same contact.</source>
        <translation>두 고객은 이미 같은 고객입니다.</translation>
    </message>
    <message>
        <source>This is the contact&apos;s only channel account, so it cannot be split off.</source>
        <translation>이 고객의 유일한 채널 계정이라 분리할 수 없습니다.</translation>
    </message>
    <message>
        <source>A contact&apos;s name must be 1 to {max_chars} characters.</source>
        <translation>고객 이름은 1~{max_chars}자여야 합니다.</translation>
    </message>
    <message>
        <source>The notes are too long: {length} characters. Shorten them to {max_chars} or fewer.</source>
        <translation>메모가 너무 깁니다: {length}자. {max_chars}자 이하로 줄여 주세요.</translation>
    </message>
    <message>
        <source>login expired, reconnect the account</source>
        <translation>로그인 만료, 계정을 다시 연결하세요</translation>
    </message>
    <message>
        <source>too many requests, waiting</source>
        <translation>요청이 많아 잠시 대기 중</translation>
    </message>
    <message>
        <source>connection problem</source>
        <translation>연결 문제</translation>
    </message>
    <message>
        <source>refused by the channel</source>
        <translation>채널에서 거부됨</translation>
    </message>
    <message>
        <source>channel error</source>
        <translation>채널 오류</translation>
    </message>
    <message>
        <source>interrupted while sending</source>
        <translation>전송 중 중단됨</translation>
    </message>
    <message>
        <source>too long for this channel</source>
        <translation>이 채널의 글자 수 제한 초과</translation>
    </message>
    <message>
        <source>empty message</source>
        <translation>빈 메시지</translation>
    </message>
    <message>
        <source>the conversation no longer exists on the channel</source>
        <translation>채널에서 대화가 삭제됨</translation>
    </message>
    <message>
        <source>the channel&apos;s reply window has closed</source>
        <translation>채널의 답장 가능 시간이 지남</translation>
    </message>
    <message>
        <source>no secure password store on this PC</source>
        <translation>이 PC에 안전한 암호 저장소 없음</translation>
    </message>
    <message>
        <source>not supported by this version</source>
        <translation>이 버전에서 지원하지 않음</translation>
    </message>
    <message>
        <source>connector settings incomplete</source>
        <translation>연결 설정 오류</translation>
    </message>
    <message>
        <source>no token on the leader: the channel is not checked</source>
        <translation>리더에 토큰이 없어 이 채널을 확인하지 못합니다</translation>
    </message>
    <message>
        <source>no token on the leader ({leader}): the channel is not checked</source>
        <translation>리더({leader})에 토큰이 없어 이 채널을 확인하지 못합니다</translation>
    </message>
    <message>
        <source>The computer that checks the channels and sends replies (the leader) has no token for this account, so nothing is received or sent on it. If the agent leads, store the token on its machine: sotong agent secret set ACCOUNT. If a PC leads, enter it there in Settings → Channels (Enter token…).</source>
        <translation>채널을 확인하고 답장을 보내는 컴퓨터(리더)에 이 계정의 토큰이 없어, 이 채널로는 아무것도 받거나 보내지 못합니다. 에이전트가 리더라면 그 컴퓨터에서 sotong agent secret set 계정 으로 토큰을 저장하세요. PC가 리더라면 그 PC의 설정 → 채널에서 입력하세요(토큰 입력…).</translation>
    </message>
    <message>
        <source>No token on this PC</source>
        <translation>이 PC에 토큰 없음</translation>
    </message>
    <message>
        <source>This PC has no token for this account — enter it in Settings → Channels (select it and press Enter token…). It is needed when this PC checks the channels (when it leads); with the agent leading, store it on the agent&apos;s machine instead.</source>
        <translation>이 PC에 토큰이 없습니다 — 설정 → 채널에서 입력하세요(계정을 고르고 ‘토큰 입력…’). 이 PC가 리더로 채널을 확인할 때 필요하며, 에이전트가 리더라면 에이전트 컴퓨터에 저장하면 됩니다.</translation>
    </message>
    <message>
        <source>This PC has no secure password store, so the token cannot be saved. (Linux: install gnome-keyring or KWallet)</source>
        <translation>이 PC에는 안전한 암호 저장소가 없어 토큰을 저장할 수 없습니다. (Linux: gnome-keyring 또는 KWallet 설치)</translation>
    </message>
    <message>
        <source>Connected.</source>
        <translation>연결되었습니다.</translation>
    </message>
    <message>
        <source>The login has expired or the token was refused. Reconnect the account with a new token.</source>
        <translation>로그인이 만료되었거나 토큰이 거부되었습니다. 새 토큰으로 계정을 다시 연결하세요.</translation>
    </message>
    <message>
        <source>The channel asks Sotong to slow down. Try again in a few minutes.</source>
        <translation>채널에서 요청이 너무 많다고 알려 왔습니다. 몇 분 뒤에 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The channel could not be reached. Check the internet connection and try again.</source>
        <translation>채널에 연결할 수 없습니다. 인터넷 연결을 확인한 뒤 다시 시도하세요.</translation>
    </message>
    <message>
        <source>The channel refused the request. Check the account&apos;s id and settings.</source>
        <translation>채널에서 요청을 거부했습니다. 계정의 채널 ID와 설정을 확인하세요.</translation>
    </message>
    <message>
        <source>The token of this account is missing from this PC&apos;s password store. Reconnect the account.</source>
        <translation>이 PC의 암호 저장소에 이 계정의 토큰이 없습니다. 계정을 다시 연결하세요.</translation>
    </message>
    <message>
        <source>This version of Sotong cannot connect this kind of account.</source>
        <translation>이 버전의 소통은 이 종류의 계정을 연결할 수 없습니다.</translation>
    </message>
    <message>
        <source>The account&apos;s connector settings are incomplete or wrong.</source>
        <translation>계정의 연결 설정이 빠졌거나 잘못되었습니다.</translation>
    </message>
    <message>
        <source>The connection test failed ({reason}).</source>
        <translation>연결 테스트에 실패했습니다. ({reason})</translation>
    </message>
    <message>
        <source>The clinic server refused the login: the user name or password is wrong.</source>
        <translation>병원 서버가 로그인을 거부했습니다. 사용자 이름이나 비밀번호가 틀렸습니다.</translation>
    </message>
    <message>
        <source>The clinic server could not be reached. Check the server address and port, that the server is on, and this PC&apos;s network.</source>
        <translation>병원 서버에 연결할 수 없습니다. 서버 주소와 포트, 서버가 켜져 있는지, 이 PC의 네트워크를 확인하세요.</translation>
    </message>
    <message>
        <source>The clinic server has no database by that name. Check the database name with the clinic&apos;s IT.</source>
        <translation>병원 서버에 그런 이름의 데이터베이스가 없습니다. 병원 전산 담당자에게 데이터베이스 이름을 확인하세요.</translation>
    </message>
    <message>
        <source>The secure connection (TLS) failed: the server does not offer it, or its certificate could not be checked against the CA file. Check the TLS setting and the CA file.</source>
        <translation>보안 연결(TLS)에 실패했습니다. 서버가 TLS를 지원하지 않거나 CA 파일로 서버 인증서를 확인할 수 없습니다. TLS 설정과 CA 파일을 확인하세요.</translation>
    </message>
    <message>
        <source>The clinic server does not admit connections from this PC (pg_hba.conf). Ask the clinic&apos;s IT to allow it.</source>
        <translation>병원 서버가 이 PC의 접속을 허용하지 않습니다(pg_hba.conf). 병원 전산 담당자에게 허용을 요청하세요.</translation>
    </message>
    <message>
        <source>No password for the clinic server is saved on this PC. Enter it and save.</source>
        <translation>이 PC에 병원 서버 비밀번호가 저장되어 있지 않습니다. 비밀번호를 입력하고 저장하세요.</translation>
    </message>
    <message>
        <source>This PC has no secure password store, so the clinic server&apos;s password cannot be kept. (Linux: install gnome-keyring or KWallet)</source>
        <translation>이 PC에 안전한 암호 저장소가 없어 병원 서버 비밀번호를 보관할 수 없습니다. (Linux: gnome-keyring 또는 KWallet을 설치하세요)</translation>
    </message>
    <message>
        <source>The clinic server could not be reached (unexpected error).</source>
        <translation>병원 서버에 연결할 수 없습니다(예기치 않은 오류).</translation>
    </message>
    <message>
        <source>the server address</source>
        <translation>서버 주소</translation>
    </message>
    <message>
        <source>the database name</source>
        <translation>데이터베이스 이름</translation>
    </message>
    <message>
        <source>the user name</source>
        <translation>사용자 이름</translation>
    </message>
    <message>
        <source>the TLS mode</source>
        <translation>TLS 모드</translation>
    </message>
    <message>
        <source>the CA file</source>
        <translation>CA 파일</translation>
    </message>
    <message>
        <source>Fill in {field} of the clinic server.</source>
        <translation>병원 서버의 ‘{field}’ 항목을 입력하세요.</translation>
    </message>
    <message>
        <source>Connected to the clinic server (PostgreSQL {version}).</source>
        <translation>병원 서버에 연결했습니다 (PostgreSQL {version}).</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>사용 중</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>일시 중지됨</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>연결 해제됨</translation>
    </message>
    <message>
        <source>The connection of {names} has expired. Reconnect it in Settings → Channels.</source>
        <translation>{names} 연결이 만료되었습니다. 설정 → 채널에서 다시 연결하세요.</translation>
    </message>
    <message>
        <source>Reply window closes in {left}</source>
        <translation>답장 가능 시간 {left} 남음</translation>
    </message>
    <message>
        <source>Outside the 24-hour window: will be sent with the human-agent tag ({left} left)</source>
        <translation>24시간이 지나 상담원 태그(HUMAN_AGENT)로 보냅니다 ({left} 남음)</translation>
    </message>
    <message>
        <source>Cannot reply on this channel now: its reply window has closed</source>
        <translation>지금은 이 채널로 답장할 수 없습니다: 답장 가능 시간이 지났습니다</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>방금</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n}분</translation>
    </message>
    <message>
        <source>no token on this PC — enter it in Settings → Channels</source>
        <translation>이 PC에 토큰이 없습니다 — 설정 → 채널에서 입력</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n}시간</translation>
    </message>
    <message>
        <source>{n} d</source>
        <translation>{n}일</translation>
    </message>
    <message>
        <source>{n} past the response target</source>
        <translation>응답 목표 초과 {n}건</translation>
    </message>
    <message>
        <source>{month}/{day} {time}</source>
        <translation>{month}월 {day}일 {time}</translation>
    </message>
    <message>
        <source>{month}/{day}</source>
        <translation>{month}월 {day}일</translation>
    </message>
    <message>
        <source>That saved search no longer exists. It may have been deleted.</source>
        <translation>저장한 검색이 더 이상 없습니다. 삭제되었을 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>ThreadModel</name>
    <message>
        <source>Handed to %1 · private note</source>
        <extracomment>&quot;message&quot;, &quot;note&quot; or &quot;outbox&quot;. &quot;in&quot; or &quot;out&quot;. Who wrote it (operator name for notes and replies, channel author otherwise). When, in ms since the epoch (int). Outbox state (queued, sending, failed, unknown) or message delivery status, else &quot;&quot;. Outbox error code, else &quot;&quot;. The item id (str). The line under a bubble: time, author, outbox state (translated). The body exactly as stored (same as DisplayRole): always plain text. The label over a note: &quot;Private note&quot;, or whom it was handed to (translated); else &quot;&quot;.</extracomment>
        <translation>%1 님에게 인계 · 내부 메모</translation>
    </message>
    <message>
        <source>Private note</source>
        <translation>내부 메모</translation>
    </message>
</context>
<context>
    <name>ThreadPane</name>
    <message>
        <source>Choose a conversation from the list.</source>
        <translation>목록에서 대화를 선택하세요.</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>진료과</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>담당자</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>상태</translation>
    </message>
    <message>
        <source>Hand off…</source>
        <translation>인계…</translation>
    </message>
    <message>
        <source>Give this conversation to a colleague with a note for them (H)</source>
        <translation>메모와 함께 이 상담을 다른 직원에게 넘깁니다 (H)</translation>
    </message>
    <message>
        <source>Snooze</source>
        <translation>보류</translation>
    </message>
    <message>
        <source>Hide until a later time; it comes back as open</source>
        <translation>정한 시간까지 목록에서 숨기고, 그때 다시 진행 중으로 돌아옵니다</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>메모</translation>
    </message>
    <message>
        <source>Write a private note for colleagues; customers never see it (Ctrl+Shift+Enter)</source>
        <translation>동료에게 남기는 내부 메모입니다. 고객에게는 보이지 않습니다 (Ctrl+Shift+Enter)</translation>
    </message>
    <message>
        <source>Resolve or reopen (E)</source>
        <translation>해결 처리 또는 다시 열기 (E)</translation>
    </message>
    <message>
        <source>Canned</source>
        <translation>상용구</translation>
    </message>
    <message>
        <source>Insert a canned response (Ctrl+Shift+C)</source>
        <translation>상용구 넣기 (Ctrl+Shift+C)</translation>
    </message>
    <message>
        <source>For 1 hour</source>
        <translation>1시간 동안</translation>
    </message>
    <message>
        <source>For 3 hours</source>
        <translation>3시간 동안</translation>
    </message>
    <message>
        <source>Tomorrow 9:00</source>
        <translation>내일 오전 9시까지</translation>
    </message>
    <message>
        <source>Next Monday 9:00</source>
        <translation>다음 주 월요일 오전 9시까지</translation>
    </message>
    <message>
        <source>Private note for colleagues. The customer will not see it.</source>
        <translation>동료에게 남길 내부 메모를 입력하세요. 고객에게는 보이지 않습니다.</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>메모 남기기</translation>
    </message>
    <message>
        <source>Add the private note (Ctrl+Enter)</source>
        <translation>내부 메모 남기기 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Write a reply… Ctrl+Enter queues it to send</source>
        <translation>답장을 입력하세요… Ctrl+Enter를 누르면 전송 대기열에 추가됩니다</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>보내기</translation>
    </message>
    <message>
        <source>Queue the reply; it is sent as soon as the channel is reachable (Ctrl+Enter)</source>
        <translation>답장을 전송 대기열에 넣습니다. 채널에 연결되는 즉시 전송됩니다 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Sorted automatically (%1 sure)</source>
        <translation>자동으로 분류됨 (확신도 %1)</translation>
    </message>
    <message>
        <source>Sorted by a routing rule</source>
        <translation>분류 규칙으로 분류됨</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>되돌리기</translation>
    </message>
    <message>
        <source>Suggested: %1 (%2 sure)</source>
        <translation>추천 진료과: %1 (확신도 %2)</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>적용</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>다시 열기</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>해결</translation>
    </message>
    <message>
        <source>%1 is writing a reply</source>
        <translation>%1 님이 답장을 쓰는 중입니다</translation>
    </message>
    <message>
        <source>%1 is looking at this conversation</source>
        <translation>%1 님이 보고 있습니다</translation>
    </message>
    <message>
        <source>A colleague</source>
        <translation>다른 직원</translation>
    </message>
    <message>
        <source>Typing…</source>
        <translation>입력 중…</translation>
    </message>
    <message>
        <source>Draft saved on this PC</source>
        <translation>이 PC에 임시저장됨</translation>
    </message>
    <message>
        <source>Draft not saved</source>
        <translation>임시저장 실패</translation>
    </message>
</context>
<context>
    <name>ThreadView</name>
    <message>
        <source>Copy text</source>
        <extracomment>How bodies are drawn: always plain text.</extracomment>
        <translation>텍스트 복사</translation>
    </message>
</context>
</TS>
